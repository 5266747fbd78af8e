-- Every story once per scope, so that each trend view answers two ways: scope 'all' counts the
-- seed corpus with the news, scope 'news' leaves it out. Read a trend view with one scope.
create or replace view scoped_stories as
with scopes as (
    select scope
    from (values ('all'), ('news')) as scopes (scope)
)

select
    scopes.scope,
    stories.canonical_url,
    stories.source,
    stories.origin,
    stories.title,
    stories.day
from stories
inner join scopes on scopes.scope = 'all' or stories.origin <> 'seed'
