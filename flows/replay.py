"""The replay flow: stored articles judged again (or re-extracted, then judged), page by page."""

from __future__ import annotations

from datetime import date

from prefect import flow

from config import load_settings
from flows.baseline import load_baseline
from flows.batches import Steps, judge_and_commit, load_pages, quoted
from tasks.commit import ensure_commit_limit_task
from tasks.lake_source import Replayed, apply_replay_task, replay_page_task
from tasks.load import Loaded
from tasks.location import lake_of
from tasks.runs import finish_run_task, record_failure, start_run_task


# A run that raises or crashes is marked failed in `runs`, with the reason.
@flow(name="replay", log_prints=True, on_failure=[record_failure], on_crashed=[record_failure])
def replay(
    mode: str = "rules",
    since: date | None = None,
    until: date | None = None,
    config_path: str | None = None,
    db_path: str | None = None,
    page_size: int = 200,
) -> dict:
    """Return the run summary after replaying the window's stored articles (`rules` or `html`).

    `page_size` articles are read, judged and written back at a time (a few MB of text).
    """
    settings = load_settings(config_path).with_db(db_path)
    lake = lake_of(settings)
    ensure_commit_limit_task(lake.commit_limit)
    load_baseline(lake, settings)
    summary = start_run_task(lake, "replay", 2 * settings.run.max_seconds, settings.trends)
    done = Replayed(mode, since and since.isoformat(), until and until.isoformat())
    after = ""
    while (page := replay_page_task(lake, mode, since, until, after, page_size)).last_key:

        def count(_read: int, failures: list, loaded: Loaded, was=page.was_relevant) -> None:
            done.add(loaded.assessed, was, len(failures))
            summary.add_replay(loaded.assessed, failures)

        steps = Steps(
            commit=lambda judged, _, failures: Loaded(
                inserted=quoted(apply_replay_task)(lake, judged, settings, summary.run_id),
                assessed=judged,
            ),
            count=count,
        )
        if mode == "html":  # the kept HTML goes through extraction again, like a fetched page
            load_pages(page.pages, [], settings, steps)
        else:
            count(0, [], judge_and_commit(page.articles, [], settings, steps))
        after = page.last_key
    summary.replay = done.as_dict()
    return quoted(finish_run_task)(lake, summary, []).as_dict()
