-- The spikes (view keyword_spikes) of scope $scope between $first and $last, both included.
select day, keyword, stories, sources, share, baseline_share, ratio, factor
from keyword_spikes
where scope = $scope and day between $first and $last
order by day, keyword
