-- unique: no two stories are copies of one text (the text hash, the duplicate check's first
-- layer): of two articles with one text, the later is a duplicate and not a story.
select
    text_hash,
    count(*) as stories,
    list(canonical_url order by canonical_url) as canonical_urls
from articles
where relevant and duplicate_of is null
group by text_hash
having count(*) > 1
order by text_hash
