-- The spikes to announce: rows of `keyword_spikes` in scope $scope dated at most $recent_days
-- days before the latest story of that scope (a backfill of past years pages nobody), not yet in
-- `alerts_sent`; each with its $top stories (most mentions first) as a list of structs.
with latest as (
    select max(day) as last_day
    from scoped_stories
    where scope = $scope
),

pending as (
    select
        spikes.day,
        spikes.keyword,
        spikes.stories,
        spikes.sources,
        spikes.share,
        spikes.baseline_share,
        spikes.ratio
    from keyword_spikes as spikes
    cross join latest
    where
        spikes.scope = $scope
        and spikes.day >= latest.last_day - cast($recent_days as integer)
        and not exists (
            select 1
            from alerts_sent as sent
            where sent.day = spikes.day and sent.keyword = spikes.keyword
        )
),

ranked as (
    select
        pending.day,
        pending.keyword,
        scoped.title,
        scoped.canonical_url as url,
        scoped.source,
        row_number() over (
            partition by pending.day, pending.keyword
            order by mentions.mentions desc, scoped.title, scoped.canonical_url
        ) as rank
    from pending
    inner join scoped_stories as scoped
        on scoped.scope = $scope and scoped.day = pending.day
    inner join keyword_mentions as mentions
        on mentions.canonical_url = scoped.canonical_url and mentions.keyword = pending.keyword
),

top_stories as (
    select
        day,
        keyword,
        list({'title': title, 'url': url, 'source': source} order by rank) as stories
    from ranked
    where rank <= $top
    group by day, keyword
)

select
    pending.day,
    pending.keyword,
    pending.stories,
    pending.sources,
    pending.share,
    pending.baseline_share,
    pending.ratio,
    top_stories.stories as top_stories
from pending
left join top_stories using (day, keyword)
order by pending.day, pending.keyword
