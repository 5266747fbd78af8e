-- unique: an event is announced once (event_id): event_alert_claim.sql claims it under the
-- writer lock.
select
    event_id,
    count(*) as copies
from event_alerts_sent
group by all
having count(*) > 1
order by all
