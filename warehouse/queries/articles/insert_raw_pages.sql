-- The fetched HTML of new articles, from the Arrow batch `batch_raw`, for later re-extraction.
insert into raw_pages by name
select batch_raw.*
from batch_raw
anti join raw_pages using (canonical_url)
