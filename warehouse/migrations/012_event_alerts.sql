-- Event alerts (tasks/analyst/event_alerts.py, `[alerts] event_min_outlets`): the events already
-- announced as covered by enough outlets, so that each is announced once, claimed under the writer
-- lock before it is sent and given back if the sending fails, as `alerts_sent` does for spikes.

create table event_alerts_sent (
    event_id varchar not null,    -- key: the event announced (article_events.event_id)
    outlets  integer not null,    -- the outlets it had when it was announced
    target   varchar not null,    -- where it went: the Apprise URL's scheme and host, or the block
    sent_at  timestamp not null,
    run_id   varchar
);
