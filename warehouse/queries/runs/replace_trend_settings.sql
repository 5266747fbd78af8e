-- The `[trends]` thresholds of the run starting, from the Arrow table `run_trend_settings`,
-- in place of the last run's (the views read them).
delete from trend_settings;

insert into trend_settings by name
select name, value
from run_trend_settings
