-- The original articles (not duplicates) of an old warehouse's export ($file) not in the lake yet:
-- those that need keys in the duplicate index once imported.
select old.canonical_url
from read_parquet($file) as old
anti join articles using (canonical_url)
where old.duplicate_of is null
