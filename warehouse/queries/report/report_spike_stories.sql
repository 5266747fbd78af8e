-- The stories behind each spike of scope $scope between $first and $last: every story of the
-- spike's day that mentions its keyword, with its link and the evidence it was judged relevant on.
with spikes as (
    select day, keyword, stories, sources, share, baseline_share, ratio
    from keyword_spikes
    where scope = $scope and day between $first and $last
)

select
    spikes.day,
    spikes.keyword,
    spikes.stories as spike_stories,
    spikes.sources as spike_sources,
    spikes.share,
    spikes.baseline_share,
    spikes.ratio,
    stories.title,
    stories.source,
    articles.url,
    stories.relevance,
    keyword_mentions.mentions,
    cast(articles.relevance_evidence as varchar) as evidence
from spikes
inner join stories on stories.day = spikes.day
inner join keyword_mentions
    on keyword_mentions.canonical_url = stories.canonical_url
    and keyword_mentions.keyword = spikes.keyword
inner join articles on articles.canonical_url = stories.canonical_url
where $scope = 'all' or stories.origin <> 'seed'
order by spikes.day desc, spikes.ratio desc, spikes.keyword, keyword_mentions.mentions desc, stories.title
