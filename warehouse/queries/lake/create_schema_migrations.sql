-- Which migrations the lake has had (no primary key in DuckLake: the writer lock keeps it unique).
create table if not exists schema_migrations (
    version    integer not null,
    name       varchar not null,
    applied_at timestamp not null
)
