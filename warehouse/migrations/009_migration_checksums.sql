-- Each applied migration's checksum (sha256 of its file's text), so that a migration edited after
-- it ran (as 004 was: see 007) is refused at start instead of leaving lakes that differ while
-- claiming the same version (warehouse/schema.py). Lakes made since have the column from their
-- first statement (queries/lake/create_schema_migrations.sql); lakes made before gain it here, and
-- record the checksums of the files as they are when first started with this migration.
alter table schema_migrations add column if not exists checksum varchar;
