-- Feed health for the report: the view feed_health, failing feeds first.
select *
from feed_health
order by consecutive_failures desc, name
