-- relationships: the article a duplicate repeats is an original, not itself a duplicate (only
-- originals are candidates, so copies of copies point to the first).
select
    copies.canonical_url,
    copies.duplicate_of,
    originals.duplicate_of as which_repeats
from articles as copies
inner join articles as originals on copies.duplicate_of = originals.canonical_url
where originals.duplicate_of is not null
order by copies.canonical_url
