-- Failed pages of this origin whose retry time has come.
select canonical_url, url, source, title, feed_published_at
from page_failures
where origin = $origin and retry_after <= $now
order by last_failed_at
