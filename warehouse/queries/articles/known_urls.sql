-- Of the candidate URLs (batch_urls), those not to fetch: stored already, or failed and not yet
-- due.
select batch_urls.canonical_url
from batch_urls
inner join articles using (canonical_url)
union
select batch_urls.canonical_url
from batch_urls
inner join page_failures using (canonical_url)
where page_failures.retry_after > $now
