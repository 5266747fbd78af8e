-- A trend view in one scope: 'all' (seed corpus counted) or 'news' (left out).
select *
from query_table($name)
where scope = $scope
