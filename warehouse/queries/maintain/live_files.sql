-- The lake's Parquet data files: how many are kept (read by the current snapshot or kept for
-- time travel), their bytes, and how many the current snapshot reads.
select
    count(*) as files,
    coalesce(sum(file_size_bytes), 0) as bytes,
    count(*) filter (where end_snapshot is null) as live
from query_table($metadata || '.ducklake_data_file')
