"""Trend charts from a real lake: the newsroom read by the real monitor, drawn as PNG and SVG."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sinorus.cli import app
from tasks.analyst.charts import (
    HEIGHT_PX,
    LINE_GID_PREFIX,
    SPIKE_GID,
    WIDTH_PX,
    read_trend,
    trend_chart,
    trend_figure,
)
from tests.conftest import rows, write_config
from warehouse import Lake, reader

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
# Thresholds low enough that the newsroom's one-story days make spikes to mark.
SPIKY = (
    "[trends]\nspike_factor = 1.5\nspike_min_stories = 1\nspike_min_sources = 1\n"
    "spike_min_baseline_days = 1\n"
)


def build_lake(tmp: Path, base_url: str) -> tuple[Path, Path]:
    """Return (catalog, config) after one real monitor run over the newsroom into tmp."""
    from flows.monitor import monitor

    db = tmp / "trends.sqlite"
    config = write_config(tmp / "trends.toml", base_url, db, extra=SPIKY)
    summary = monitor(str(config), None)
    assert summary["status"] == "completed" and summary["stored"] > 0, summary
    return db, config


@pytest.fixture(scope="module")
def lake(prefect_harness, newsroom, tmp_path_factory) -> dict:
    db, config = build_lake(tmp_path_factory.mktemp("charts"), newsroom.base_url)
    return {"db": db, "config": config, "lake": Lake.at(str(db))}


def top_keywords(db: Path, n: int) -> list[str]:
    """Return the n keywords of most news stories, counted here from the stored rows."""
    stories: dict = defaultdict(set)
    mentions: dict = defaultdict(int)
    for keyword, url, count in rows(
        db,
        "select m.keyword, m.canonical_url, m.mentions from keyword_mentions m "
        "join articles a using (canonical_url) "
        "where a.relevant and a.duplicate_of is null and a.origin <> 'seed'",
    ):
        stories[keyword].add(url)
        mentions[keyword] += count
    ranked = sorted(stories, key=lambda k: (-len(stories[k]), -mentions[k], k))
    return ranked[:n]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_groups(data: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(data)
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id")}


def test_the_chart_has_one_line_per_top_keyword_and_spike_markers(lake: dict) -> None:
    wanted = top_keywords(lake["db"], 4)
    with reader(lake["lake"]) as con:
        trend, _ = read_trend(con, scope="news", since=date(2026, 11, 1), top=4)
        spikes = con.execute(
            "select day, keyword from keyword_spikes where scope = 'news' and day >= '2026-11-01'"
        ).fetchall()
    figure = trend_figure(trend, "test")
    axes = figure.axes[0]
    lines = [line for line in axes.get_lines() if line.get_gid().startswith(LINE_GID_PREFIX)]
    assert sorted(line.get_label() for line in lines) == sorted(wanted)
    assert axes.get_ylabel() == "stories a day" and axes.get_xlabel() == "day (UTC)"
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend[: len(wanted)] == [line.get_label() for line in lines]
    charted = [(day, keyword) for day, keyword in spikes if keyword in wanted]
    assert charted, "the low thresholds make spikes among the top keywords"
    (marks,) = [line for line in axes.get_lines() if line.get_gid() == SPIKE_GID]
    assert marks.get_marker() == "*" and legend[-1].startswith("spike")
    assert sorted(marks.get_xdata()) == sorted(day for day, _ in charted)
    # each star sits on its keyword's line, at that day's story count
    by_label = {
        line.get_label(): dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
        for line in lines
    }
    for x, y, (day, keyword, _) in zip(
        marks.get_xdata(), marks.get_ydata(), trend.spikes, strict=True
    ):
        assert by_label[keyword][day] == y and x == day
    assert png_size(trend_chart(trend, "test", "png")) == (WIDTH_PX, HEIGHT_PX)


def test_the_svg_has_its_size_one_group_per_line_and_a_marker_per_spike(lake: dict) -> None:
    with reader(lake["lake"]) as con:
        trend, _ = read_trend(
            con, scope="news", keywords=["gas", "UKRAINE"], since=date(2026, 11, 1)
        )
    data = trend_chart(trend, "gas and Ukraine", "svg")
    root = ET.fromstring(data)
    assert (root.get("width"), root.get("height")) == ("720pt", "324pt")  # 1000 x 450 px at 100 dpi
    groups = svg_groups(data)
    assert sorted(g for g in groups if g.startswith(LINE_GID_PREFIX)) == [
        f"{LINE_GID_PREFIX}Ukraine",
        f"{LINE_GID_PREFIX}gas",
    ]
    stars = [use for use in groups[SPIKE_GID].iter(f"{SVG}use")] if SPIKE_GID in groups else []
    assert len(stars) == len(trend.spikes) > 0


def test_trends_plot_writes_a_share_chart_and_prints_the_series(lake: dict, tmp_path: Path) -> None:
    plot = tmp_path / "share.svg"
    args = ["trends", "--config", str(lake["config"]), "--scope", "news", "--share"]
    args += ["--keyword", "gas", "--since", "2026-11-10", "--format", "csv", "--plot", str(plot)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "day,keyword,share_pct,day_stories,sources,spike_ratio"
    gas_days = rows(
        lake["db"],
        "select distinct s.day from stories s join keyword_mentions m using (canonical_url) "
        "where m.keyword = 'gas' and s.origin <> 'seed' and s.day >= '2026-11-10' order by 1",
    )
    assert [line.split(",")[0] for line in lines[1:]] == [day.isoformat() for (day,) in gas_days]
    groups = svg_groups(plot.read_bytes())
    assert [g for g in groups if g.startswith(LINE_GID_PREFIX)] == [f"{LINE_GID_PREFIX}gas"]


def test_trends_by_week_and_source(lake: dict) -> None:
    (source,) = rows(
        lake["db"], "select source from stories group by source order by count(*) desc limit 1"
    )[0]
    args = ["trends", "--config", str(lake["config"]), "--by", "week", "--source", source]
    result = runner.invoke(app, [*args, "--since", "2026-11-01", "--format", "json", "--top", "50"])
    assert result.exit_code == 0, result.output
    import json

    shown = {(row["week"], row["keyword"]): row["stories"] for row in json.loads(result.stdout)}
    expected: dict = defaultdict(int)
    for day, keyword in rows(
        lake["db"],
        "select s.day, m.keyword from stories s join keyword_mentions m using (canonical_url) "
        "where s.source = $source and s.day >= '2026-10-26'",
        {"source": source},
    ):
        year, week, _ = day.isocalendar()
        expected[(f"{year}-W{week:02d}", keyword)] += 1
    assert shown == dict(expected)


def test_trends_rejects_bad_options(lake: dict) -> None:
    for bad in (["--by", "month"], ["--plot", "chart.pdf"], ["--scope", "seed"]):
        result = runner.invoke(app, ["trends", "--config", str(lake["config"]), *bad])
        assert result.exit_code == 2, (bad, result.output)
