-- Retention: the text of off-topic pages fetched before $text_before. The row stays (URL, score,
-- dates, fingerprints): the page is never fetched again and its copies are still recognised.
update articles
set text = ''
where not relevant and fetched_at < $text_before and text <> ''
