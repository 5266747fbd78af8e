-- The stored feed tags, in the shape tasks/runs.write_feed_tags compares with the config's:
-- ('tag', source, url, country) and ('collection', source, collection, null).
select 'tag' as kind, source, url, country
from feed_tags
union all
select 'collection', source, collection, null
from feed_collections
