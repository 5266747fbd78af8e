"""The replay flow: stored articles judged again (or re-extracted, then judged), page by page."""

from __future__ import annotations

from datetime import date

from prefect import flow

from config import load_settings
from flows.baseline import load_baseline
from tasks.assess import judge_batch_task
from tasks.commit import ensure_commit_limit_task
from tasks.extract import extract_pages_task
from tasks.location import lake_of
from tasks.replay import Replayed, apply_replay_task, replay_page_task
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
    summary = start_run_task(lake, "replay")
    done = Replayed(mode, since and since.isoformat(), until and until.isoformat())
    after = ""
    while True:
        page = replay_page_task(lake, mode, since, until, after, page_size)
        if page.last_key is None:
            break
        articles, failures = page.articles, []
        if mode == "html":
            articles, failures = extract_pages_task(page.pages, settings.extract)
        judged = judge_batch_task(articles, settings)
        apply_replay_task(lake, judged, settings, summary.run_id)
        done.add(judged, page.was_relevant, len(failures))
        summary.add_replay(judged, failures)
        after = page.last_key
    summary.replay = done.as_dict()
    return finish_run_task(lake, summary, []).as_dict()
