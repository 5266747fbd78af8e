-- The events of the stored originals listed in the Arrow batch `batch_originals` (canonical_url):
-- what a copy in the batch joins. Read by URL, as the duplicate candidates' fingerprints are.
select
    article_events.canonical_url,
    article_events.event_id
from article_events
semi join batch_originals using (canonical_url)
