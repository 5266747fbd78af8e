-- Record a new backfill job.
insert into backfill_jobs (
    job_id, source, since, until, arguments, undated, status, created_at, updated_at
)
values ($job_id, $source, $since, $until, $arguments, $undated, 'discovering', $now, $now)
on conflict (job_id) do nothing
