-- unique: each term once per article (canonical_url, term).
select
    canonical_url,
    term,
    count(*) as copies
from story_terms
group by all
having count(*) > 1
order by all
