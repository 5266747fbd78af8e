-- Retention: the kept HTML of off-topic pages fetched before $html_before (stories keep theirs).
delete from raw_pages
where canonical_url in (
    select canonical_url
    from articles
    where not relevant and fetched_at < $html_before
)
