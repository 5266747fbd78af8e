-- not_null: a duplicate says how it was found and how close it is (dup_method, similarity), and
-- an original has neither: the three columns are set together or not at all.
select
    canonical_url,
    duplicate_of,
    dup_method,
    similarity
from articles
where
    (duplicate_of is null) <> (dup_method is null)
    or (duplicate_of is null) <> (similarity is null)
order by canonical_url
