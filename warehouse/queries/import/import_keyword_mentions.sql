-- `keyword_mentions` rows of an old DuckDB-file warehouse (exported to the Parquet file $file), each only
-- if its key is not in the lake yet.
insert into keyword_mentions by name
select old.*
from read_parquet($file) as old
anti join keyword_mentions using (canonical_url, keyword)
