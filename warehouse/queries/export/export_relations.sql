-- The tables and views `sinorus export` can write: every one of the lake's own (main schema),
-- with whether it has a `scope` column (the trend views: exported in one scope).
with relations as (
    select
        table_name as name,
        'table' as kind
    from duckdb_tables()
    where database_name = current_database() and schema_name = 'main' and not internal
    union all
    select
        view_name as name,
        'view' as kind
    from duckdb_views()
    where database_name = current_database() and schema_name = 'main' and not internal
),

scoped as (
    select distinct table_name as name
    from duckdb_columns()
    where database_name = current_database() and schema_name = 'main' and column_name = 'scope'
)

select
    relations.name,
    relations.kind,
    scoped.name is not null as scoped
from relations
left join scoped using (name)
order by relations.kind, relations.name
