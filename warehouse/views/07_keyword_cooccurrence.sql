-- Pairs of keywords named in the same story: how many stories name both, and the lift (how much
-- more often they meet than if they were independent: 1 is chance, above 1 they go together).
create or replace view keyword_cooccurrence as
with story_keywords as (
    select
        scoped_stories.scope,
        scoped_stories.canonical_url,
        keyword_mentions.keyword
    from scoped_stories
    inner join keyword_mentions using (canonical_url)
),

totals as (
    select
        scope,
        count(*) as total_stories
    from scoped_stories
    group by scope
),

keyword_totals as (
    select
        scope,
        keyword,
        count(*) as keyword_stories
    from story_keywords
    group by scope, keyword
),

pairs as (
    select
        story_a.scope,
        story_a.keyword as keyword_a,
        story_b.keyword as keyword_b,
        count(*) as stories
    from story_keywords as story_a
    inner join story_keywords as story_b
        on
            story_a.scope = story_b.scope
            and story_a.canonical_url = story_b.canonical_url
            and story_a.keyword < story_b.keyword
    group by story_a.scope, story_a.keyword, story_b.keyword
)

select
    pairs.scope,
    pairs.keyword_a,
    pairs.keyword_b,
    pairs.stories,
    totals_a.keyword_stories as stories_a,
    totals_b.keyword_stories as stories_b,
    totals.total_stories,
    pairs.stories * totals.total_stories
    / (totals_a.keyword_stories * totals_b.keyword_stories) as lift
from pairs
inner join totals using (scope)
inner join keyword_totals as totals_a
    on pairs.scope = totals_a.scope and pairs.keyword_a = totals_a.keyword
inner join keyword_totals as totals_b
    on pairs.scope = totals_b.scope and pairs.keyword_b = totals_b.keyword
