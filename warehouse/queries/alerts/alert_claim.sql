-- Claim the spikes about to be announced (Arrow table `alert_claims`), under the writer lock:
-- a spike another run claimed meanwhile is left to it.
insert into alerts_sent by name
select
    claims.day,
    claims.keyword,
    claims.target,
    claims.sent_at,
    claims.run_id
from alert_claims as claims
where not exists (
    select 1
    from alerts_sent as sent
    where sent.day = claims.day and sent.keyword = claims.keyword
)
