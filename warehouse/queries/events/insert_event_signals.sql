-- The signals of the batch's articles assigned by their own (originals), from the Arrow batch
-- `batch_signals`.
insert into event_signals by name
select batch_signals.*
from batch_signals
