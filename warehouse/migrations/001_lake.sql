-- The warehouse on DuckLake. DuckLake has no PRIMARY KEY, UNIQUE or CHECK constraints: the keys
-- below are kept by the writers (anti-joins under the catalog lock, warehouse/lock.py), and each
-- column's allowed values are listed beside it. All timestamps are UTC.

create table articles (
    canonical_url       varchar not null,  -- key: the URL normalised (tracking parameters, fragment dropped)
    url                 varchar not null,  -- the URL as first seen (after redirects)
    origin              varchar not null,  -- seed | monitor | backfill
    source              varchar,           -- the feed's name, or 'seed corpus'
    title               varchar,
    author              varchar,
    sitename            varchar,
    language            varchar,
    published_at        timestamp,
    date_source         varchar,           -- page | feed | listing | sighting | seed | none
    fetched_at          timestamp not null,
    text                varchar not null,
    text_hash           varchar not null,  -- sha1 of the normalised text: exact duplicates
    relevance           double not null,
    relevance_threshold double,            -- the threshold in force when the score was given
    relevant            boolean not null,
    relevance_evidence  json,              -- which terms were found where, and each score component
    china_mentions      integer not null,
    russia_mentions     integer not null,
    duplicate_of        varchar,           -- canonical_url of the article this one repeats
    similarity          double,
    dup_method          varchar,           -- text_hash | minhash | containment | title
    minhash             blob,              -- MinHash of the whole text's shingles
    lead_minhash        blob,              -- MinHash of the lead's shingles
    shingles            integer,           -- distinct shingles in the text (for containment)
    title_key           varchar,           -- source|normalised title, when the title is long enough
    run_id              varchar
);

-- The duplicate index: every key under which an original article (not itself a duplicate) can be
-- found — its text hash, its title key, and each LSH band of its two MinHash signatures — so a
-- batch finds its candidates with one join, whatever the size of the warehouse.
create table dedup_keys (
    key           bigint not null,   -- 64-bit hash of (layer, value); see tasks/dedup.py
    canonical_url varchar not null
);

create table keyword_mentions (
    canonical_url varchar not null,  -- key, with keyword
    keyword       varchar not null,
    mentions      integer not null   -- > 0
);

create table feeds (
    url                  varchar not null,  -- key
    name                 varchar not null,
    etag                 varchar,
    last_modified        varchar,
    body_hash            varchar,
    last_status          varchar,           -- ok | not_modified | unchanged | failed
    last_error           varchar,
    http_status          integer,
    entries_last         integer,
    last_checked_at      timestamp,
    last_ok_at           timestamp,
    consecutive_failures integer not null
);

create table runs (
    run_id        varchar not null,  -- key
    flow          varchar not null,  -- monitor | backfill | replay
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
    snapshot      bigint,            -- the last snapshot the run's batches committed (--as-of it)
    error         varchar
);

create table page_failures (
    canonical_url     varchar not null,  -- key
    url               varchar not null,
    origin            varchar not null,  -- monitor | backfill
    source            varchar,
    title             varchar,           -- the feed entry's, so a retry has what the entry gave
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

create table backfill_jobs (
    job_id     varchar not null,  -- key: a hash of the arguments, so the same command resumes
    source     varchar not null,  -- feeds | sitemaps | gdelt | urls | raw
    since      date not null,
    until      date not null,
    arguments  json not null,
    undated    varchar not null,  -- the no-date policy: drop | sighting
    status     varchar not null,  -- discovering | discovered | completed
    discovered integer,
    notes      json,              -- what each source said while listing (errors included)
    created_at timestamp not null,
    updated_at timestamp not null
);

create table backfill_queue (
    job_id        varchar not null,  -- key, with canonical_url
    canonical_url varchar not null,
    url           varchar not null,
    source        varchar,
    title         varchar,
    published_at  timestamp,         -- the publication date the listing gave, if any
    date_source   varchar not null,  -- what published_at comes from: feed | listing
    seen_at       timestamp,         -- when the listing saw it (GDELT seendate, lastmod)
    status        varchar not null,  -- pending | stored | duplicate | irrelevant | known |
                                     -- out_of_window | undated | failed
    reason        varchar,
    updated_at    timestamp not null
);

create table raw_pages (
    canonical_url varchar not null,  -- key
    url           varchar not null,
    fetched_at    timestamp not null,
    html_zlib     blob not null      -- the page as fetched, zlib-compressed
);
