-- New articles from the Arrow batch `batch_articles`, skipping any already stored.
insert into articles by name
select batch_articles.*
from batch_articles
anti join articles using (canonical_url)
