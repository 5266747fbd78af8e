-- `backfill_queue` rows of an old DuckDB-file warehouse (exported to the Parquet file $file), each only
-- if its key is not in the lake yet.
insert into backfill_queue by name
select old.*
from read_parquet($file) as old
anti join backfill_queue using (job_id, canonical_url)
