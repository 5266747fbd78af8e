-- unique: one digest per rule list (name).
select
    name,
    count(*) as copies
from rule_digests
group by all
having count(*) > 1
order by all
