-- Pages that have now been fetched and extracted (batch_urls) are failures no more.
delete from page_failures
where canonical_url in (select canonical_url from batch_urls)
