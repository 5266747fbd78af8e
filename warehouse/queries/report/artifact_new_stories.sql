-- The stories run $run_id stored (relevant, repeating no earlier article), newest first.
select
    stories.day,
    stories.title,
    articles.url,
    stories.source
from stories
inner join articles using (canonical_url)
where articles.run_id = $run_id
order by stories.day desc, stories.title
