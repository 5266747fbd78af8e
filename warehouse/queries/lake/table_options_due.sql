-- DuckLake storage options the lake's tables should have and do not have yet (for the lake
-- $alias): Parquet row groups of the wide tables, in rows. A scan holds a whole row group's column
-- chunks in memory per thread, and DuckDB's default of 122,880 rows made a batch's duplicate
-- lookup, which reads every original's two signatures (~2.6 kB a row), hold ~330 MB at 100k
-- articles and ~3 GB at 1M (bench/lake.py). raw_pages rows hold tens of kB of compressed HTML
-- each; event_signals rows ~1.1 kB of embedding. Files written before keep their row groups
-- (docs/decisions.md).
with wanted as (
    select *
    from (
        values
            ('articles', 'parquet_row_group_size', '8192'),
            ('event_signals', 'parquet_row_group_size', '8192'),
            ('raw_pages', 'parquet_row_group_size', '2048')
    ) as wanted (table_name, option_name, value)
),

present as (
    -- a lake migrated only part of the way has not every table yet
    select table_name
    from duckdb_tables()
    where database_name = $alias
),

stored as (
    select
        split_part(scope_entry, '.', 2) as table_name,
        option_name,
        value
    from ducklake_options($alias)
    where scope = 'TABLE'
)

select
    wanted.table_name,
    wanted.option_name,
    wanted.value
from wanted
semi join present using (table_name)
anti join stored using (table_name, option_name, value)
order by wanted.table_name, wanted.option_name
