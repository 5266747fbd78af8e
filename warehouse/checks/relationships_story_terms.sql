-- relationships: every story term belongs to a stored relevant article (story_terms -> articles
-- where relevant): an article's terms commit with it, and a replay that finds it off-topic
-- replaces them with none.
select
    story_terms.canonical_url,
    story_terms.term,
    articles.relevant as article_relevant
from story_terms
left join articles on story_terms.canonical_url = articles.canonical_url
where articles.relevant is distinct from true
order by story_terms.canonical_url, story_terms.term
