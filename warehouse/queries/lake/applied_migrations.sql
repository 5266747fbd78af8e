-- The migrations the lake has had, every column: a lake made before migration 009 has no
-- `checksum` column until 009 runs, and the caller reads the columns by name.
select *
from schema_migrations
order by version
