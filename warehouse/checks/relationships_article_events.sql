-- relationships: every event row names a stored article (article_events.canonical_url ->
-- articles.canonical_url).
select
    article_events.canonical_url,
    article_events.event_id
from article_events
anti join articles
    on article_events.canonical_url = articles.canonical_url
order by all
