-- Of the URLs of batch_urls, those already stored (by this run's planning or, meanwhile, another
-- run).
select canonical_url
from articles
where canonical_url in (select canonical_url from batch_urls)
