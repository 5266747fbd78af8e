-- The snapshot a read connection sees (the latest, or the one --as-of attached): the export's
-- manifest names it.
select *
from ducklake_current_snapshot(current_database())
