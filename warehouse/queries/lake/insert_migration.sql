-- Record an applied migration.
insert into schema_migrations (version, name, applied_at)
values ($version, $name, cast(now() at time zone 'UTC' as timestamp))
