-- relationships: every feed counted in a collection has its tags row (feed_collections.source
-- -> feed_tags.source).
select
    feed_collections.source,
    feed_collections.collection
from feed_collections
anti join feed_tags
    on feed_collections.source = feed_tags.source
order by all
