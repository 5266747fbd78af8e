-- The duplicate-index keys of the batch's new originals, from the Arrow batch `batch_keys`. Their
-- articles were not stored before this commit (checked under the writer lock), so none of their
-- keys is in the index yet: no anti-join over the whole index is needed.
insert into dedup_keys by name
select batch_keys.*
from batch_keys
