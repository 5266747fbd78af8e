-- Of the URLs $urls, those already stored (by this run's planning or, meanwhile, another run).
select canonical_url
from articles
where canonical_url in (select unnest($urls::varchar[]))
