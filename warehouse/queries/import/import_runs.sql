-- `runs` rows of an old DuckDB-file warehouse (exported to the Parquet file $file), each only
-- if its key is not in the lake yet.
insert into runs by name
select old.*
from read_parquet($file) as old
anti join runs using (run_id)
