-- unique: one row per article, per canonical_url (the key every other table joins on;
-- the batch commit's anti-join under the writer lock keeps it).
select
    canonical_url,
    count(*) as copies
from articles
group by all
having count(*) > 1
order by all
