-- A person pauses a feed (it is not fetched until resumed), or resumes it ($paused false): due at
-- once. A feed never checked yet gets its row now.
merge into feeds
using (select $url as url, $name as name) as asked
    on feeds.url = asked.url
when matched then update set
    paused_at = case when $paused then $now end,
    paused_reason = case when $paused then $reason end,
    next_fetch_at = case when $paused then feeds.next_fetch_at else $now end
when not matched then insert (url, name, consecutive_failures, paused_at, paused_reason)
    values (asked.url, asked.name, 0, case when $paused then $now end,
            case when $paused then $reason end)
