-- How many snapshots the lake keeps.
select count(*) as snapshots
from ducklake_snapshots($alias)
