-- Which migrations the lake has had (no primary key in DuckLake: the writer lock keeps it unique),
-- each with the sha256 of its file's text (lakes made before migration 009 gain that column there).
create table if not exists schema_migrations (
    version    integer not null,
    name       varchar not null,
    applied_at timestamp not null,
    checksum   varchar
)
