-- The stories that count: relevant articles that repeat no earlier article, each dated by its
-- publication date (or, lacking one, the day it was fetched).
create or replace view stories as
with counted as (
    select
        canonical_url,
        title,
        source,
        origin,
        language,
        coalesce(published_at, fetched_at) as dated_at,
        relevance,
        text
    from articles
    where relevant and duplicate_of is null
)

select
    *,
    cast(dated_at as date) as day
from counted
