-- A backfill shared by many workers: a worker claims a batch of a job's pending URLs for a while
-- (a lease). The entries stay 'pending' while claimed; the batch's commit moves them on. An entry
-- whose lease has run out (its worker died, or is stuck) is claimable again.

alter table backfill_queue add column claimed_by varchar;   -- the worker (its flow run id)
alter table backfill_queue add column claim_id varchar;     -- one claim: the batch it went in
alter table backfill_queue add column lease_until timestamp; -- claimable by others after this
