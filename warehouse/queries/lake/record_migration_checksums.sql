-- Record the checksum of each applied migration that has none (applied just now, or before
-- migration 009), from the Arrow table `migration_checksums` (version, checksum).
update schema_migrations
set checksum = migration_checksums.checksum
from migration_checksums
where
    schema_migrations.version = migration_checksums.version
    and schema_migrations.checksum is null
