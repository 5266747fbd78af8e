-- `page_failures` rows of an old DuckDB-file warehouse (exported to the Parquet file $file), each only
-- if its key is not in the lake yet.
insert into page_failures by name
select old.*
from read_parquet($file) as old
anti join page_failures using (canonical_url)
