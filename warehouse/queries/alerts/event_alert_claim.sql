-- Claim the events about to be announced (Arrow table `event_alert_claims`), under the writer
-- lock: an event another run claimed meanwhile is left to it.
insert into event_alerts_sent by name
select
    claims.event_id,
    claims.outlets,
    claims.target,
    claims.sent_at,
    claims.run_id
from event_alert_claims as claims
where not exists (
    select 1
    from event_alerts_sent as sent
    where sent.event_id = claims.event_id
)
