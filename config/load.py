"""Reading the config: config/default.toml, a user file laid over it, one strict validation.

An unknown key or a wrong value stops the program with a message naming the key
(`fetch.concurrency: Input should be a valid integer`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.settings import DEFAULT_CONFIG, ConfigError, Settings, describe_errors


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Return base with top laid over it: tables merge key by key, other values replace."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(path: Path | str | None = None) -> Settings:
    """Return the validated settings: the defaults with the file at `path` (if any) laid over."""
    data = _read_toml(DEFAULT_CONFIG)
    source = str(DEFAULT_CONFIG)
    if path is not None:
        path = Path(path)
        if path.resolve() != DEFAULT_CONFIG:
            top = _read_toml(path)
            lake = top.get("warehouse")
            if isinstance(lake, dict) and "catalog" in lake and "data_path" not in lake:
                # Another catalog with the default data path would share its Parquet folder
                # with the default lake: its files go beside it instead (x.sqlite -> x.lake/).
                top = _overlay(top, {"warehouse": {"data_path": ""}})
            data = _overlay(data, top)
            source = f"{path} (over {DEFAULT_CONFIG.name})"
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, source)) from None
