-- The terms of the articles in `batch_articles`, replaced by those in `batch_terms`.
delete from story_terms
where canonical_url in (select canonical_url from batch_articles);

insert into story_terms by name
select * from batch_terms
