-- unique: one value per trend setting (name).
select
    name,
    count(*) as copies
from trend_settings
group by all
having count(*) > 1
order by all
