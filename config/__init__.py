"""Settings: the TOML files in config/, validated once at start."""

from config.load import load_settings
from config.settings import (
    DEFAULT_CONFIG,
    DEMO_CONFIG,
    ConfigError,
    Feed,
    Keyword,
    Settings,
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
