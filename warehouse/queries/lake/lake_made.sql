-- Any row of schema_migrations (the query fails when there is no such table): the lake's
-- first migration is committed. Until then its catalog holds DuckLake's own tables but none of
-- ours: its creator is at it, or was killed before its first commit.
select version
from schema_migrations
limit 1
