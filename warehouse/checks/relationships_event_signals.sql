-- relationships: every event member's signals belong to an article that is in an event
-- (event_signals.canonical_url -> article_events.canonical_url).
select event_signals.canonical_url
from event_signals
anti join article_events
    on event_signals.canonical_url = article_events.canonical_url
order by all
