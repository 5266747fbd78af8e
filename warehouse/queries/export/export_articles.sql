-- Articles for `sinorus export`, partitioned by the month they were fetched. The MinHash
-- signatures (binary, for duplicate detection only) stay behind; scope 'news' leaves the seed
-- corpus out, as the trend views do.
select
    * exclude (minhash, lead_minhash),
    strftime(fetched_at, '%Y-%m') as month
from articles
where $scope = 'all' or origin <> 'seed'
