-- The first schema: articles with their keyword mentions, feeds with their health, runs, and the
-- pages that failed (so that a later run tries them again). All timestamps are UTC.

create table articles (
    canonical_url varchar primary key,  -- identity: the URL normalised (tracking parameters, fragment dropped)
    url           varchar not null,     -- the URL as first seen (after redirects)
    origin        varchar not null check (origin in ('seed', 'monitor', 'backfill')),
    source        varchar,              -- the feed's name, or 'seed corpus'
    title         varchar,
    author        varchar,
    sitename      varchar,
    language      varchar,
    published_at  timestamp,
    date_source   varchar check (date_source in ('page', 'feed', 'seed', 'none')),
    fetched_at    timestamp not null,
    text          varchar not null,
    text_hash     varchar not null,     -- sha1 of the normalised text: exact duplicates
    relevance     double not null,
    relevant      boolean not null,
    china_mentions  integer not null,
    russia_mentions integer not null,
    duplicate_of  varchar,              -- canonical_url of the article this one repeats
    similarity    double,
    dup_method    varchar check (dup_method in ('text_hash', 'minhash')),
    minhash       blob,                 -- serialised MinHash signature: the near-duplicate index
    run_id        varchar
);

create table keyword_mentions (
    canonical_url varchar not null,
    keyword       varchar not null,
    mentions      integer not null check (mentions > 0),
    primary key (canonical_url, keyword)
);

create table feeds (
    url                  varchar primary key,
    name                 varchar not null,
    etag                 varchar,
    last_modified        varchar,
    body_hash            varchar,
    last_status          varchar,  -- ok | not_modified | unchanged | failed
    last_error           varchar,
    http_status          integer,
    entries_last         integer,
    last_checked_at      timestamp,
    last_ok_at           timestamp,
    consecutive_failures integer not null default 0
);

create table runs (
    run_id        varchar primary key,
    flow          varchar not null,
    started_at    timestamp not null,
    finished_at   timestamp,
    status        varchar not null,  -- running | completed | failed
    feeds_ok      integer,
    feeds_failed  integer,
    entries_seen  integer,
    new_urls      integer,
    pages_fetched integer,
    pages_failed  integer,
    extracted     integer,
    relevant      integer,
    irrelevant    integer,
    duplicates    integer,
    stored        integer,
    error         varchar
);

create table page_failures (
    canonical_url     varchar primary key,
    url               varchar not null,
    origin            varchar not null,
    source            varchar,
    title             varchar,   -- the feed entry's, so a retry has what the entry gave
    feed_published_at timestamp,
    stage             varchar not null,  -- fetch | extract
    reason            varchar not null,
    http_status       integer,
    transient         boolean not null,
    attempts          integer not null,
    first_failed_at   timestamp not null,
    last_failed_at    timestamp not null,
    retry_after       timestamp not null
);
