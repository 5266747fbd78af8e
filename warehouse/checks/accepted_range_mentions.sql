-- accepted_range: a keyword mention counts at least one occurrence (a keyword an article does
-- not mention has no row).
select
    canonical_url,
    keyword,
    mentions
from keyword_mentions
where mentions < 1
order by canonical_url, keyword
