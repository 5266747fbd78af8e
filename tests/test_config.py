"""Tests of config/settings.py: the defaults, the demo overlay, and clear errors for bad files.

Bad files live in tests/fixtures/bad_configs/: each starts with `# expect: <substring>`, a part of
the ConfigError message it must raise. Adding a case is adding a file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import get_origin

import pytest
from pydantic import BaseModel

from config import DEFAULT_CONFIG, DEMO_CONFIG, ConfigError, Settings, load_settings
from tasks.location import lake_of

BAD_CONFIGS = sorted((Path(__file__).parent / "fixtures" / "bad_configs").glob("*.toml"))


def expectation(path: Path) -> str:
    """Return the `# expect:` substring on the first line of a bad config file."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    return first.removeprefix("# expect: ").strip()


def raw_defaults() -> dict:
    """Return config/default.toml as parsed TOML."""
    with DEFAULT_CONFIG.open("rb") as handle:
        return tomllib.load(handle)


def test_defaults_load() -> None:
    settings = load_settings()
    raw = raw_defaults()
    assert (settings.warehouse.catalog, settings.warehouse.data_path) == (
        "data/sinorus.sqlite",
        "data/lake/",
    )
    assert settings.schedule.cron == "*/30 * * * *"
    assert settings.schedule.timezone == "UTC"
    assert settings.fetch.allow_private_hosts is False
    assert settings.fetch.max_bytes == 5_000_000
    assert settings.fetch.timeout_seconds == 20.0
    assert settings.topic.min_mentions == 2
    assert settings.topic.threshold == 6.0
    assert settings.topic.weights.title == 4.0 and settings.topic.weights.max_sentences == 6
    assert set(settings.topic.china) == set(settings.topic.russia) == set(settings.topic.relation)
    assert set(settings.topic.china) == {
        "en", "ru", "zh", "uk", "de", "fr", "es", "ja", "ko", "ar"
    }  # fmt: skip
    assert "Росси*" in settings.topic.russia_terms and "中国" in settings.topic.china_terms
    assert settings.dedup.lead_words == 120
    assert 0 < settings.dedup.containment_threshold <= 1
    assert settings.dedup.title_window_days == 3
    assert settings.dedup.num_perm % settings.dedup.bands == 0
    assert [f.url for f in settings.feeds] == [f["url"] for f in raw["feeds"]]
    assert len(settings.feeds) == 56
    assert all(f.url.startswith("https://") for f in settings.feeds)
    assert [k.name for k in settings.keywords] == [k["name"] for k in raw["keywords"]]
    gas = next(k for k in settings.keywords if k.name == "gas")
    assert gas.terms == ["gas", "natural gas", "LNG", "pipeline gas"]


def test_default_file_passed_explicitly_is_the_defaults() -> None:
    assert load_settings(DEFAULT_CONFIG) == load_settings()
    assert load_settings(str(DEFAULT_CONFIG)) == load_settings(None)


def _fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _fields(annotation, f"{prefix}{name}.")
        else:
            names.add(prefix + name)
    return names


def _mappings(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Return the fields that are free-form tables (their keys are data, such as languages)."""
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _mappings(annotation, f"{prefix}{name}.")
        elif get_origin(annotation) is dict:
            names.add(prefix + name)
    return names


def _keys(data: dict, prefix: str = "", leaves: frozenset[str] = frozenset()) -> set[str]:
    names = set()
    for key, value in data.items():
        if isinstance(value, dict) and prefix + key not in leaves:
            names |= _keys(value, f"{prefix}{key}.", leaves)
        else:
            names.add(prefix + key)
    return names


def test_default_file_lists_every_key() -> None:
    """default.toml promises to list every key the program knows: it must match the models."""
    leaves = frozenset(_mappings(Settings))
    assert leaves == {
        "topic.china",
        "topic.russia",
        "topic.relation",
        "topic.pair",
        "topic.clause",
        "topic.coordination",
        "topic.listing",
        "topic.joint",
        "topic.origin",
    }
    assert _keys(raw_defaults(), leaves=leaves) == _fields(Settings)


def test_term_tables_merge_by_language(tmp_path: Path) -> None:
    """A config naming one language replaces that language's list and keeps the others."""
    path = tmp_path / "mine.toml"
    path.write_text('[topic.china]\nen = ["Middle Kingdom"]\n', encoding="utf-8")
    topic = load_settings(path).topic
    defaults = load_settings().topic
    assert topic.china["en"] == ["Middle Kingdom"]
    assert topic.china["ru"] == defaults.china["ru"]
    assert "Middle Kingdom" in topic.china_terms and "Кита*" in topic.china_terms
    assert "Beijing" not in topic.china_terms  # an English-only term, replaced
    assert topic.russia == defaults.russia


def test_demo_overlay() -> None:
    demo = load_settings(DEMO_CONFIG)
    defaults = load_settings()
    assert demo.fetch.allow_private_hosts is True
    assert demo.fetch.timeout_seconds == 10.0
    assert (demo.warehouse.catalog, demo.warehouse.data_path) == (
        "data/demo.sqlite",
        "data/demo.lake/",
    )
    # Lists are replaced, not appended to: only the newsroom's four feeds remain.
    assert [f.url for f in demo.feeds] == [
        "http://127.0.0.1:8765/feeds/world.rss",
        "http://127.0.0.1:8765/feeds/asia.atom",
        "http://127.0.0.1:8765/feeds/analysis.rdf",
        "http://127.0.0.1:8765/feeds/broken.xml",
    ]
    # Tables merge key by key: what the demo does not set keeps its default.
    assert demo.fetch.max_bytes == defaults.fetch.max_bytes
    assert demo.fetch.user_agent == defaults.fetch.user_agent
    assert demo.keywords == defaults.keywords
    assert demo.topic == defaults.topic
    assert demo.dedup == defaults.dedup
    assert demo.schedule == defaults.schedule


def test_overlay_of_one_key(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[dedup]\nthreshold = 0.9\n", encoding="utf-8")
    settings = load_settings(path)
    defaults = load_settings()
    assert settings.dedup.threshold == 0.9
    assert settings.dedup.num_perm == defaults.dedup.num_perm
    assert settings.feeds == defaults.feeds


def test_with_db() -> None:
    settings = load_settings()
    assert settings.with_db(None) is settings
    moved = settings.with_db("elsewhere/x.sqlite")
    # a SQLite catalog given alone keeps its Parquet files beside it, never in data/lake/
    assert (moved.warehouse.catalog, moved.warehouse.data_path) == ("elsewhere/x.sqlite", "")
    assert lake_of(moved).data_path == str(Path("elsewhere/x.lake").resolve()) + "/"
    assert moved.fetch == settings.fetch
    assert (settings.warehouse.catalog, settings.warehouse.data_path) == (
        "data/sinorus.sqlite",
        "data/lake/",
    )  # the original is unchanged
    pg = settings.with_db("postgres:dbname=lake host=127.0.0.1")
    assert pg.warehouse.data_path == "data/lake/"
    with pytest.raises(ConfigError, match="sinorus warehouse import"):
        settings.with_db("old/sinorus.duckdb")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('path = "data/x.duckdb"', "warehouse.path is gone"),
        ('catalog = "data/x.duckdb"', "sinorus warehouse import"),
        ('catalog = "postgres:"', "needs a conninfo"),
        ('catalog = "postgres:dbname=x"\ndata_path = ""', "needs a data_path"),
        ("keep_snapshots_days = -1", "warehouse.keep_snapshots_days"),
    ],
)
def test_bad_warehouse_settings_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[warehouse]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_a_config_naming_only_a_catalog_gets_its_own_data_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(f'[warehouse]\ncatalog = "{tmp_path / "w.sqlite"}"\n', encoding="utf-8")
    assert lake_of(load_settings(path)).data_path == f"{tmp_path / 'w.lake'}/"


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValueError):
        settings.fetch.timeout_seconds = 1.0  # type: ignore[misc]


def test_bad_config_cases_exist() -> None:
    assert len(BAD_CONFIGS) >= 15


@pytest.mark.parametrize("path", BAD_CONFIGS, ids=[p.stem for p in BAD_CONFIGS])
def test_bad_config(path: Path) -> None:
    expected = expectation(path)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    # The message names the file; look for the expectation in the rest, so that a file name
    # cannot satisfy it.
    message = str(info.value)
    assert str(path) in message
    assert expected in message.replace(str(path), "<file>"), message


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="config file not found") as info:
        load_settings(missing)
    assert str(missing) in str(info.value)


def test_unknown_key_message_is_one_line_per_problem(tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text('[fetch]\ntimeout = 3\nconcurrency = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("invalid configuration in ")
    assert "  fetch.timeout: unknown key" in lines
    assert any(line.startswith("  fetch.concurrency: ") for line in lines)
    assert len(lines) == 3


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)
