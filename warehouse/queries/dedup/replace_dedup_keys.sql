-- After re-extraction: the duplicate-index keys of the articles in `batch_keys` are replaced by
-- the new ones, for those that are originals (a duplicate is never a candidate).
delete from dedup_keys
where canonical_url in (select canonical_url from batch_keys);

insert into dedup_keys by name
select batch_keys.*
from batch_keys
where batch_keys.canonical_url in (
    select canonical_url
    from articles
    where duplicate_of is null
)
