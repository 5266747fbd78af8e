-- relationships: every duplicate names a stored article (articles.duplicate_of ->
-- articles.canonical_url).
select
    copies.canonical_url,
    copies.duplicate_of
from articles as copies
anti join articles as originals on copies.duplicate_of = originals.canonical_url
where copies.duplicate_of is not null
order by copies.canonical_url
