-- Pages that have now been fetched and extracted are failures no more.
delete from page_failures
where canonical_url in (select unnest($urls::varchar[]))
