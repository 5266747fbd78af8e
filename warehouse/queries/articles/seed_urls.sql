-- The seed articles already loaded.
select canonical_url
from articles
where origin = 'seed'
