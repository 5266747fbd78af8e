-- The lake's snapshots after $since_id, with the label each commit was given.
select
    snapshot_id,
    snapshot_time,
    commit_message,
    commit_extra_info
from ducklake_snapshots($alias)
where snapshot_id > $since_id
order by snapshot_id
