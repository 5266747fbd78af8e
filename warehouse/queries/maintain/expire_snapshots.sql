-- Snapshots older than $older_than forgotten: time travel no longer reaches them.
call ducklake_expire_snapshots($alias, older_than => $older_than)
