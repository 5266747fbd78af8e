"""`sinorus serve`: the monitor as a scheduled Prefect deployment, with a local server if needed."""

from __future__ import annotations

import signal
from contextlib import suppress
from datetime import timedelta

from config.settings import Settings
from sinorus.server import prefect_server


def _stop(signum: int, frame: object) -> None:
    """Signal handler: raise KeyboardInterrupt wherever the main thread is."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def serve_monitor(
    settings: Settings, config_path: str | None, db_path: str | None, port: int
) -> None:
    """Serve the monitor on its schedule until interrupted (Ctrl-C or SIGTERM)."""
    # Both stop it at once, the same way. Left to asyncio.run (Python 3.11+), a first Ctrl-C only
    # cancels its main task, which Prefect's runner may absorb (on a loaded machine, a served
    # monitor ran on for 3 minutes after one SIGINT). A handler of our own also keeps asyncio
    # from installing that one, and undoes a SIGINT ignored by whatever started us.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with prefect_server(port) as api_url:
        # Imported only now: Prefect reads PREFECT_API_URL when it is first imported.
        from prefect import serve
        from prefect.schedules import Cron, Interval

        from flows.backfill import backfill
        from flows.maintenance import maintenance
        from flows.monitor import monitor

        schedule = (
            Interval(
                timedelta(seconds=settings.schedule.interval_seconds),
                timezone=settings.schedule.timezone,
            )
            if settings.schedule.interval_seconds
            else Cron(settings.schedule.cron, timezone=settings.schedule.timezone)
        )
        deployment = monitor.to_deployment(
            name="scheduled",
            schedule=schedule,
            parameters={"config_path": config_path, "db_path": db_path},
            concurrency_limit=1,  # a slow run delays the next, never overlaps it
            description="One monitor pass over the configured feeds.",
        )
        # No schedule: started by hand, from the UI or `prefect deployment run 'backfill/manual'
        # -p since=2023-03-01 -p until=2023-03-31`; it may run beside the monitor (the lake
        # takes their commits one at a time), but one backfill at a time.
        manual = backfill.to_deployment(
            name="manual",
            parameters={"config_path": config_path, "db_path": db_path},
            concurrency_limit=1,
            description="Fill a past date range: feeds, sitemaps, gdelt, urls or raw.",
        )
        nightly = maintenance.to_deployment(
            name="nightly",
            schedule=Cron(settings.warehouse.maintenance_cron, timezone=settings.schedule.timezone),
            parameters={"config_path": config_path, "db_path": db_path},
            concurrency_limit=1,
            description="The lake's upkeep: merge small files, expire old snapshots.",
        )
        print(
            f"serving the monitor, the backfill and the lake's maintenance against {api_url} "
            "— Ctrl-C to stop",
            flush=True,
        )
        with suppress(KeyboardInterrupt):
            serve(deployment, manual, nightly, print_starting_message=True)
