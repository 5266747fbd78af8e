-- `raw_pages` rows of an old DuckDB-file warehouse (exported to the Parquet file $file), each only
-- if its key is not in the lake yet.
insert into raw_pages by name
select old.*
from read_parquet($file) as old
anti join raw_pages using (canonical_url)
