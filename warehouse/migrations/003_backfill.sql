-- Backfill: jobs and their queues (so an interrupted backfill resumes where it stopped), the raw
-- HTML of fetched pages (so `--source raw` can re-extract without fetching), and two more date
-- sources: 'listing' (the date a sitemap, GDELT or a feed archive gave) and 'sighting' (when we
-- saw it), for articles whose page carries no date. DuckDB cannot alter a CHECK constraint, so
-- `articles` is rebuilt again.

create table backfill_jobs (
    job_id        varchar primary key,   -- a hash of the arguments: the same command resumes
    source        varchar not null,
    since         date not null,
    until         date not null,
    arguments     json not null,
    undated       varchar not null,      -- the no-date policy: drop | sighting
    status        varchar not null,      -- discovering | discovered | completed
    discovered    integer,
    notes         json,                  -- what each source said while listing (errors included)
    created_at    timestamp not null,
    updated_at    timestamp not null
);

create table backfill_queue (
    job_id        varchar not null,
    canonical_url varchar not null,
    url           varchar not null,
    source        varchar,
    title         varchar,
    published_at  timestamp,             -- the publication date the listing gave, if any
    date_source   varchar not null,      -- what published_at comes from: feed | listing
    seen_at       timestamp,             -- when the listing saw it (GDELT seendate, lastmod)
    status        varchar not null,      -- pending | stored | duplicate | irrelevant | known |
                                         -- out_of_window | undated | failed
    reason        varchar,
    updated_at    timestamp not null,
    primary key (job_id, canonical_url)
);

create table raw_pages (
    canonical_url varchar primary key,
    url           varchar not null,
    fetched_at    timestamp not null,
    html_zlib     blob not null          -- the page as fetched, zlib-compressed
);

create table articles_v3 (
    canonical_url       varchar primary key,
    url                 varchar not null,
    origin              varchar not null check (origin in ('seed', 'monitor', 'backfill')),
    source              varchar,
    title               varchar,
    author              varchar,
    sitename            varchar,
    language            varchar,
    published_at        timestamp,
    date_source         varchar check (date_source in ('page', 'feed', 'listing', 'sighting', 'seed', 'none')),
    fetched_at          timestamp not null,
    text                varchar not null,
    text_hash           varchar not null,
    relevance           double not null,
    relevance_threshold double,
    relevant            boolean not null,
    relevance_evidence  json,
    china_mentions      integer not null,
    russia_mentions     integer not null,
    duplicate_of        varchar,
    similarity          double,
    dup_method          varchar check (dup_method in ('text_hash', 'minhash', 'containment', 'title')),
    minhash             blob,
    lead_minhash        blob,
    shingles            integer,
    title_key           varchar,
    run_id              varchar
);

insert into articles_v3 by name
select * from articles;

drop table articles;

alter table articles_v3 rename to articles;
