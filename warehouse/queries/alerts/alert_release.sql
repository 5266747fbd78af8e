-- Give back this run's claim on a spike whose announcement failed: the next run tries again.
delete from alerts_sent
where day = $day and keyword = $keyword and run_id = $run_id
