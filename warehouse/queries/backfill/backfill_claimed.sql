-- The entries of one claim, as candidates to fetch.
select canonical_url, url, source, title, published_at, date_source, seen_at
from backfill_queue
where job_id = $job_id
  and claim_id = $claim_id
  and status = 'pending'
order by coalesce(published_at, seen_at) desc nulls last, canonical_url
