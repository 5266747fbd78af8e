-- Outlets and collections: each configured feed's country and the collections it is counted in,
-- as the config of the run that started last says (tasks/runs.py replaces both tables when a run
-- starts). Articles know their feed by name (`articles.source`), and the views join the tags by
-- it, so a change of tags applies to past articles too; nothing is copied into articles.

create table feed_tags (
    source  varchar not null,  -- key: the feed's name, as in articles.source
    url     varchar not null,  -- the feed's URL, as in the config (and feeds.url)
    country varchar            -- ISO 3166-1 alpha-2, upper case; null: not given
);

create table feed_collections (
    source     varchar not null,  -- key, with collection: the feed's name
    collection varchar not null   -- a collection's name (lowercase, hyphens: ru-state)
);
