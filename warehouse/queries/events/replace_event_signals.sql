-- After a replay judged the articles of the Arrow batch `batch_articles` again: their signals are
-- replaced by those of `batch_signals` (the relevant ones), kept for the originals and for the
-- copies of an original that is not relevant (they are assigned by their own signals).
delete from event_signals
where canonical_url in (select canonical_url from batch_articles);

insert into event_signals by name
select batch_signals.*
from batch_signals
inner join articles using (canonical_url)
left join articles as original on articles.duplicate_of = original.canonical_url
where articles.duplicate_of is null or not coalesce(original.relevant, false)
