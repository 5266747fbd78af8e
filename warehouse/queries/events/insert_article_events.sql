-- The batch's events, from the Arrow batch `batch_events`: its articles were not stored before
-- this commit (checked under the writer lock), and a replay deleted its window's rows first.
insert into article_events by name
select batch_events.*
from batch_events
