-- The keyword mentions of the articles in `page_urls`, replaced by those in `batch_mentions`.
delete from keyword_mentions
where canonical_url in (select canonical_url from page_urls);

insert into keyword_mentions by name
select * from batch_mentions
