-- unique: each migration applied once (version).
select
    version,
    count(*) as copies
from schema_migrations
group by all
having count(*) > 1
order by all
