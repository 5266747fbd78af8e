-- A worker claims up to $size of a job's pending URLs: those never claimed, or whose lease ran
-- out. Its earlier claims still in flight get the new lease too (a worker that claims is alive).
-- Run under the writer lock, so two workers never claim the same entry at once.
with claimable as (
    select canonical_url
    from backfill_queue
    where job_id = $job_id
      and status = 'pending'
      and (lease_until is null or lease_until < $now)
    order by coalesce(published_at, seen_at) desc nulls last, canonical_url
    limit $size
)
update backfill_queue
set claimed_by = $worker,
    claim_id = case when canonical_url in (select canonical_url from claimable)
                    then $claim_id else claim_id end,
    lease_until = $lease_until
where job_id = $job_id
  and status = 'pending'
  and (canonical_url in (select canonical_url from claimable) or claimed_by = $worker)
