"""The HTML report from a real lake, opened in headless Chromium: it renders, its charts show,
every story is linked, the events of the period list their reports with the first reporter
marked, a spike names the events behind it, and nothing is fetched from anywhere but the file
itself."""

from __future__ import annotations

import base64
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config import load_settings
from sinorus.cli import app
from tasks.analyst import report_events
from tasks.analyst.charts import HEIGHT_PX, WIDTH_PX, ChartCache, Trend, chart_key
from tasks.analyst.report import (
    evidence_html,
    link_html,
    previous_generation,
    state_path,
    write_report,
)
from tests.conftest import rows
from tests.test_alerts import EVENTS, events_lake, first_title, outlets_in_order
from tests.test_charts import build_lake
from warehouse import Lake, reader

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def lake(prefect_harness, newsroom, tmp_path_factory) -> dict:
    db, config = build_lake(tmp_path_factory.mktemp("report"), newsroom.base_url)
    return {"db": db, "config": config, "lake": Lake.at(str(db))}


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright (`make system-deps` installs it)."""
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine: `make system-deps` (as root) installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def open_report(browser, report: Path, screenshot: Path) -> tuple[object, list[str]]:
    """Return the page showing `report` and every URL it requested (anything but the file and
    data: URIs is refused, and still recorded)."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requested: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        requested.append(url)
        if url.startswith(("file://", "data:")):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)
    page.on("request", lambda request: requested.append(request.url))
    page.goto(report.as_uri(), wait_until="load")
    page.screenshot(path=str(screenshot), full_page=True)
    return page, requested


def news_urls(db: Path) -> set[str]:
    """Return the stored URLs of every news story, read here from articles."""
    found = rows(
        db,
        "select url from articles where relevant and duplicate_of is null and origin <> 'seed'",
    )
    return {url for (url,) in found}


def test_the_report_renders_offline_with_charts_and_every_story(
    lake: dict, browser, tmp_path: Path
) -> None:
    settings = load_settings(lake["config"])
    report = write_report(lake["lake"], settings, tmp_path / "report.html", since=date(2000, 1, 1))
    page, requested = open_report(browser, report, tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert page.title().startswith("sinorus report")
    assert page.locator("h1").is_visible()
    images = page.evaluate(
        "[...document.images].map(i => ({w: i.naturalWidth, h: i.naturalHeight, "
        "done: i.complete, shown: i.getBoundingClientRect().width, src: i.src.slice(0, 22)}))"
    )
    assert len(images) == 2, images  # stories a day, share of the day
    for image in images:
        assert image["done"] and (image["w"], image["h"]) == (WIDTH_PX, HEIGHT_PX), image
        assert image["shown"] > 0 and image["src"] == "data:image/png;base64,"
    links = set(page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"))
    assert news_urls(lake["db"]) <= links
    assert [url for url in requested if not url.startswith(("file://", "data:"))] == []
    assert report.as_uri() in requested
    # the events of the last 30 days, each with one first report marked
    section = page.locator("section", has=page.locator("h2", has_text="Events of the period"))
    (last,) = rows(lake["db"], "select max(day) from stories where origin <> 'seed'")[0]
    (period,) = rows(
        lake["db"],
        "select count(distinct event_id) from article_events "
        "where cast(published_at as date) between ? - interval 29 days and ?",
        [last, last],
    )[0]
    assert period > 0 and section.locator(".event").count() == min(period, 10)
    for event in section.locator(".event").all():
        assert event.locator("tr.first-report").count() == 1
        assert event.locator("tr").nth(1).get_attribute("class") == "first-report"


def test_each_spike_lists_the_stories_behind_it(lake: dict, browser, tmp_path: Path) -> None:
    settings = load_settings(lake["config"])
    report = write_report(lake["lake"], settings, tmp_path / "report.html", since=date(2000, 1, 1))
    page, _ = open_report(browser, report, tmp_path / "spikes.png")
    spikes = rows(
        lake["db"],
        "select k.day, k.keyword, a.url from keyword_spikes k "
        "join stories s on s.day = k.day and s.origin <> 'seed' "
        "join keyword_mentions m on m.canonical_url = s.canonical_url and m.keyword = k.keyword "
        "join articles a on a.canonical_url = s.canonical_url "
        "where k.scope = 'news' and k.day > (select max(day) from stories) - 30",
    )
    assert spikes, "the low thresholds of the lake's config make spikes"
    section = page.locator("section", has=page.locator("h2", has_text="Spikes"))
    for day, keyword, url in spikes:
        heading = section.locator("h3", has_text=f"{keyword} on {day}")
        assert heading.count() == 1, (day, keyword)
        assert section.locator(f'a[href="{url}"]').count() >= 1, url
    # the evidence the story was judged relevant on, under its link
    assert section.locator(".story blockquote").count() >= len(spikes)


def test_new_stories_default_to_since_the_previous_report(lake: dict, tmp_path: Path) -> None:
    settings = load_settings(lake["config"])
    out = tmp_path / "weekly.html"
    assert previous_generation(out) is None
    write_report(lake["lake"], settings, out, since=date(2000, 1, 1))
    first = json.loads(state_path(out).read_text(encoding="utf-8"))
    html = out.read_text(encoding="utf-8")
    assert f"{len(news_urls(lake['db']))} new stories since 2000-01-01 00:00 UTC" in html
    write_report(lake["lake"], settings, out)  # nothing stored in between
    second = json.loads(state_path(out).read_text(encoding="utf-8"))
    assert second["since"] == first["generated_at"].removesuffix("+00:00")
    assert "No new stories since" in out.read_text(encoding="utf-8")


def _charts(out: Path) -> list[str]:
    return re.findall(r'<img class="chart" src="data:image/png;base64,([^"]+)"', out.read_text())


def test_unchanged_trends_reuse_the_previous_reports_charts(lake: dict, tmp_path: Path) -> None:
    """The charts are kept beside the report; one whose trend has not changed is not drawn
    again (a monitor run that stored nothing new), and a changed one is."""
    settings = load_settings(lake["config"])
    out = tmp_path / "r.html"
    write_report(lake["lake"], settings, out, since=date(2000, 1, 1))
    state = json.loads(state_path(out).read_text(encoding="utf-8"))
    assert list(state["charts"].values()) == _charts(out) and len(_charts(out)) == 2
    # Mark the kept charts: a report that reuses them shows the marks.
    marked = {
        key: base64.b64encode(b"kept " + base64.b64decode(chart)).decode()
        for key, chart in state["charts"].items()
    }
    state_path(out).write_text(json.dumps({**state, "charts": marked}), encoding="utf-8")
    write_report(lake["lake"], settings, out)
    assert _charts(out) == list(marked.values())

    trend = Trend(by="day", share=False, periods=[date(2026, 11, 1)], series={"gas": [1.0]})
    cache = ChartCache({chart_key(trend, "t", "png"): base64.b64encode(b"kept").decode()})
    assert cache.chart(trend, "t") == b"kept"
    changed = Trend(by="day", share=False, periods=[date(2026, 11, 1)], series={"gas": [2.0]})
    assert cache.chart(changed, "t").startswith(b"\x89PNG")
    # What a hand-edited state holds that is no chart is drawn again.
    assert ChartCache({chart_key(trend, "t", "png"): "not base64!"}).chart(trend, "t") != b"kept"
    assert ChartCache(["not", "a", "dict"]).chart(trend, "t").startswith(b"\x89PNG")


def test_the_report_command_writes_the_file(lake: dict, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    args = ["report", "--config", str(lake["config"]), "--out", str(out), "--since", "2000-01-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.exists() and "report written to" in result.stdout
    bad = runner.invoke(app, ["report", "--config", str(lake["config"]), "--out", "x.pdf"])
    assert bad.exit_code == 2


def test_stored_text_is_escaped_and_only_web_links_are_links() -> None:
    hostile = json.dumps({"china": ["<script>alert(1)</script>"], "examples": ['"><img src=x>']})
    html = evidence_html(hostile, 7.0)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&quot;&gt;&lt;img src=x&gt;" in html
    assert link_html("javascript:alert(1)", "<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert link_html('https://e.com/"a', "t") == '<a href="https://e.com/&quot;a">t</a>'


# ---- the events of the period, on a lake whose events and first reporters are known ----


@pytest.fixture(scope="module")
def eventful(tmp_path_factory) -> Lake:
    """tests/fixtures/alerts/events.toml as a lake (tests/test_alerts.py builds it)."""
    return events_lake(tmp_path_factory.mktemp("eventful"))


def fixture_events() -> list[str]:
    """Return the fixture's events, most outlets first, then most reports, then the earliest."""
    specs = EVENTS["reports"]
    names = {spec["event"] for spec in specs}

    def rank(name: str) -> tuple:
        own = [s for s in specs if s["event"] == name]
        return (-len({s["outlet"] for s in own}), -len(own), min(s["at"] for s in own))

    return sorted(names, key=rank)


def test_the_events_of_the_period_mark_their_first_reporter(
    eventful: Lake, browser, tmp_path: Path
) -> None:
    report = write_report(eventful, load_settings(), tmp_path / "events.html")
    page, _ = open_report(browser, report, tmp_path / "events.png")
    section = page.locator("section", has=page.locator("h2", has_text="Events of the period"))
    events = section.locator(".event")
    headlines = [h.split(" — ")[0] for h in events.locator("h3").all_inner_texts()]
    assert headlines == [first_title(name) for name in fixture_events()]
    assert headlines[0] == first_title("gas deal")  # 4 outlets
    for i, name in enumerate(fixture_events()):
        event = events.nth(i)
        cells = event.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.cells].map(c => c.innerText))"
        )
        wanted = sorted((s for s in EVENTS["reports"] if s["event"] == name), key=lambda s: s["at"])
        assert [row[1:] for row in cells] == [
            [s["language"], f"{s['at']:%Y-%m-%d %H:%M}", s["title"]] for s in wanted
        ], name
        marked = event.locator("tr.first-report")
        assert marked.count() == 1
        first_outlet = outlets_in_order(name, EVENTS["reports"])[0][0]
        assert marked.locator("td").first.inner_text() == f"first {first_outlet}"
        assert marked.locator(".badge.first").is_visible()
        for spec in wanted[1:]:
            assert spec["outlet"] in event.inner_text()
    gas = events.nth(0)
    assert gas.locator("tr.first-report td").first.inner_text() == "first Xinhua"
    links = gas.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert links[0] == "https://xinhua.example.com/gas-deal-070600"
    assert "4 outlets, 4 reports; en, ru, zh" in gas.locator("h3").inner_text()

    spikes = page.locator("section", has=page.locator("h2", has_text="Spikes"))
    assert spikes.locator("h3", has_text="gas on 2026-03-07").count() == 1
    named = spikes.locator(".spike-event")
    ids = [events.nth(i).get_attribute("id") for i in range(events.count())]
    by_name = dict(zip(fixture_events(), ids, strict=True))
    assert named.evaluate_all("spans => spans.map(s => s.dataset.event)") == [
        by_name["gas deal"],
        by_name["gas price"],
        by_name["gas route"],
    ]
    assert named.first.locator("a").get_attribute("href") == f"#{by_name['gas deal']}"


def test_the_events_section_is_bounded_and_says_when_a_period_has_none(
    eventful: Lake, monkeypatch
) -> None:
    monkeypatch.setattr(report_events, "TOP_EVENTS", 3)
    monkeypatch.setattr(report_events, "REPORTS_PER_EVENT", 2)
    with reader(eventful) as con:
        html, listed = report_events.events_html(con, date(2026, 3, 7), 30)
        empty, none = report_events.events_html(con, date(2026, 2, 27), 3)
    assert len(listed) == 3 and html.count('<div class="event"') == 3
    # gas deal: its first two outlets (Xinhua, TASS), then the other two counted
    gas = html.split('<div class="event"')[1]
    assert gas.count("<tr") == 3 and "Xinhua" in gas and "TASS" in gas and "Bloomberg" not in gas
    assert "and 2 more reports" in gas
    assert empty == "<p>No event had a report between 2026-02-25 and 2026-02-27.</p>" and not none


def test_the_reports_events_are_counted_as_the_events_view_counts(eventful: Lake) -> None:
    """The report counts only the events of its period (the view aggregates the whole lake on
    each read), by the same rules: the same numbers as `events` for every event it lists."""
    with reader(eventful) as con:
        listed = report_events.events_of_period(con, date(2026, 2, 6), date(2026, 3, 7))
        behind = report_events.spike_events(con, "news", [(date(2026, 3, 7), "gas")])
        view = {
            row[0]: row[1:]
            for row in con.execute(
                "select event_id, headline, outlets, reports, first_report_at, last_report_at, "
                "languages, top_keywords from events"
            ).fetchall()
        }
    columns = ["headline", "outlets", "reports", "first_report_at", "last_report_at"]
    shown = {
        row["event_id"]: (*(row[c] for c in columns), row["languages"], row["top_keywords"])
        for row in listed
    }
    assert len(shown) == len(view) == len(fixture_events())
    assert shown == view
    named = behind[(date(2026, 3, 7), "gas")]
    assert len(named) == 3
    for event in named:
        assert (event["headline"], event["outlets"], event["reports"]) == view[event["event_id"]][
            :3
        ]
        assert event["first_report_at"] == view[event["event_id"]][3]
