-- `backfill_jobs` rows of an old DuckDB-file warehouse (exported to the Parquet file $file), each only
-- if its key is not in the lake yet.
insert into backfill_jobs by name
select old.*
from read_parquet($file) as old
anti join backfill_jobs using (job_id)
