-- Signal quality: each article keeps the evidence behind its relevance score and the signatures
-- of every duplicate layer; dup_method gains 'containment' and 'title'. DuckDB cannot alter a
-- CHECK constraint, so the table is rebuilt (rows copied by name; new columns start empty and
-- `sinorus rescore` fills them).

create table articles_v2 (
    canonical_url       varchar primary key,
    url                 varchar not null,
    origin              varchar not null check (origin in ('seed', 'monitor', 'backfill')),
    source              varchar,
    title               varchar,
    author              varchar,
    sitename            varchar,
    language            varchar,
    published_at        timestamp,
    date_source         varchar check (date_source in ('page', 'feed', 'seed', 'none')),
    fetched_at          timestamp not null,
    text                varchar not null,
    text_hash           varchar not null,
    relevance           double not null,
    relevance_threshold double,          -- the threshold in force when the score was given
    relevant            boolean not null,
    relevance_evidence  json,            -- which terms were found where, and each score component
    china_mentions      integer not null,
    russia_mentions     integer not null,
    duplicate_of        varchar,
    similarity          double,
    dup_method          varchar check (dup_method in ('text_hash', 'minhash', 'containment', 'title')),
    minhash             blob,            -- MinHash of the whole text's shingles
    lead_minhash        blob,            -- MinHash of the lead's shingles
    shingles            integer,         -- distinct shingles in the text (for containment)
    title_key           varchar,         -- source|normalised title, when the title is long enough
    run_id              varchar
);

insert into articles_v2 by name
select * from articles;

drop table articles;

alter table articles_v2 rename to articles;
