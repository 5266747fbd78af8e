-- Events (tasks/events.py, decided at commit by tasks/event_assignment.py): one row a stored
-- relevant article, copies included with their original's event; and the signals an event is
-- compared by, kept for the articles assigned by their own signals (originals), so that a commit
-- rebuilds the events active around its batch from the lake alone. Both are written a batch a
-- commit, so each Parquet file spans the batch's publication times: a read of one window skips
-- the files outside it by their min/max statistics.

create table article_events (
    canonical_url varchar not null,    -- key: the article
    event_id      varchar not null,    -- 'ev-' + sha1 of the event's first report's URL
    similarity    double not null,     -- the score it joined by (1 when it opened the event; a
                                       -- copy: its duplicate similarity)
    method        varchar not null,    -- new | joined | copy
    evidence      json,                -- each piece of evidence of the best pair, weighted
    published_at  timestamp not null,  -- the article's publication time (else its fetch time)
    run_id        varchar,
    assigned_at   timestamp not null
);

create table event_signals (
    canonical_url varchar not null,    -- key: the article
    published_at  timestamp not null,  -- as in article_events
    language      varchar not null,
    embedding     blob not null,       -- the lead's 512-d USE v3 embedding, float16 little-endian
    actors        varchar[] not null,  -- canonical ids (tasks/event_signals.py ACTORS)
    places        varchar[] not null,
    numbers       varchar[] not null,  -- normalised figures ("7.84e+10", "3.1%")
    dates         date[] not null,     -- the days the lead names
    occasion      varchar              -- the kind of occasion, if named
);

insert into vocabularies (column_name, value) values
    ('article_events.method', 'new'),
    ('article_events.method', 'joined'),
    ('article_events.method', 'copy');
