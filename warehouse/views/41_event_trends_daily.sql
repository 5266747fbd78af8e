-- Events by day of their reports' publication: events first reported that day, events with a
-- report that day (active), the day's reports (copies included) and reports per active event.
create or replace view event_trends_daily as
with reports as (
    select
        event_id,
        cast(published_at as date) as day
    from article_events
),

new_events as (
    select
        first_day as day,
        count(*) as new_events
    from (select event_id, min(day) as first_day from reports group by event_id)
    group by first_day
),

days as (
    select
        day,
        count(distinct event_id) as active_events,
        count(*) as reports
    from reports
    group by day
)

select
    days.day,
    coalesce(new_events.new_events, 0) as new_events,
    days.active_events,
    days.reports,
    days.reports / days.active_events as reports_per_event
from days
left join new_events using (day)
