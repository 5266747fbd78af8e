-- relationships: every keyword mention belongs to a stored article (keyword_mentions ->
-- articles): an article and its mentions commit in one batch.
select
    canonical_url,
    keyword,
    mentions
from keyword_mentions
anti join articles using (canonical_url)
order by canonical_url, keyword
