-- Record a new backfill job (a job with these arguments already recorded stays as it is).
insert into backfill_jobs (
    job_id, source, since, until, arguments, undated, status, created_at, updated_at
)
select $job_id, $source, $since, $until, $arguments, $undated, 'discovering', $now, $now
where not exists (select 1 from backfill_jobs where job_id = $job_id)
