-- A run ends with its counts.
update runs set
    finished_at = $now,
    status = $status,
    feeds_ok = $feeds_ok,
    feeds_failed = $feeds_failed,
    entries_seen = $entries_seen,
    new_urls = $new_urls,
    pages_fetched = $pages_fetched,
    pages_failed = $pages_failed,
    extracted = $extracted,
    relevant = $relevant,
    irrelevant = $irrelevant,
    duplicates = $duplicates,
    stored = $stored,
    feeds_due = $feeds_due,
    left_urls = $left_urls,
    snapshot = $snapshot,
    error = $error
where run_id = $run_id
