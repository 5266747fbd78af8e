-- Trends an analyst can read: the thresholds the trend views use (from the `[trends]` config the
-- monitor last ran with), the terms each story is about (for `emerging_terms`), the alerts already
-- sent (so a spike is announced once), and which keyword list the stored mentions follow.

create table trend_settings (
    name  varchar not null,  -- key: spike_factor | spike_min_stories | spike_min_sources |
                             -- spike_min_baseline_days | emerging_days | emerging_min_stories
    value double not null
);

create table story_terms (
    canonical_url varchar not null,  -- key, with term: a relevant article's
    term          varchar not null   -- a word, a two-word phrase, or a pair of CJK characters
);

create table alerts_sent (
    day       date not null,     -- key, with keyword: the spike announced (scope 'news')
    keyword   varchar not null,
    target    varchar not null,  -- where it went: the Apprise URL's scheme and host, or the block
    sent_at   timestamp not null,
    run_id    varchar
);

create table rule_digests (
    name       varchar not null,  -- key: keywords (the `[[keywords]]` list the mentions follow)
    digest     varchar not null,  -- sha1 of the rules as JSON
    updated_at timestamp not null
);
