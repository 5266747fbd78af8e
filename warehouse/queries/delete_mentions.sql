-- Forget the keyword mentions of the articles in the Arrow batch `rescored`.
delete from keyword_mentions
where canonical_url in (select canonical_url from rescored)
