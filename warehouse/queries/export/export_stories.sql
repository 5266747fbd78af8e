-- Stories for `sinorus export`, partitioned by the month of their day; scope 'news' leaves the
-- seed corpus out, as the trend views do.
select
    *,
    strftime(day, '%Y-%m') as month
from stories
where $scope = 'all' or origin <> 'seed'
