-- unique: a spike is announced once (day, keyword): alert_claim.sql claims it under the
-- writer lock.
select
    day,
    keyword,
    count(*) as copies
from alerts_sent
group by all
having count(*) > 1
order by all
