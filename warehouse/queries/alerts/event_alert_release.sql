-- Give back this run's claim on an event whose announcement failed: the next run tries again.
delete from event_alerts_sent
where event_id = $event_id and run_id = $run_id
