"""Settings: the TOML files in config/, validated once at start."""

from config.settings import (
    DEFAULT_CONFIG,
    DEMO_CONFIG,
    ConfigError,
    Feed,
    Keyword,
    Settings,
    load_settings,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEMO_CONFIG",
    "ConfigError",
    "Feed",
    "Keyword",
    "Settings",
    "load_settings",
]
