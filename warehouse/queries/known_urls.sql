-- Of the candidate URLs ($urls), those not to fetch: stored already, or failed and not yet due.
with candidates as (
    select unnest($urls::varchar[]) as canonical_url
)

select candidates.canonical_url
from candidates
inner join articles using (canonical_url)
union
select candidates.canonical_url
from candidates
inner join page_failures using (canonical_url)
where page_failures.retry_after > $now
