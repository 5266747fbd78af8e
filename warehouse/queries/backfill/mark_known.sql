-- Queue entries whose article is already in the warehouse need no fetch.
update backfill_queue
set status = 'known', reason = null, updated_at = $now
where job_id = $job_id
  and status in ('pending', 'failed')
  and canonical_url in (select canonical_url from articles)
