"""Process-wide defaults that must be in place before Prefect is imported."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PREFECT_DEFAULTS = {
    # Prefect state (its SQLite database, logs) stays inside the project, not in ~/.prefect.
    "PREFECT_HOME": str(PROJECT_ROOT / ".prefect"),
    # No telemetry: the machines this runs on may have no internet, and analysts expect none.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # A temporary server on a slow 2-core machine can take over 20 s to start the first time.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def apply_prefect_defaults() -> None:
    """Set Prefect's environment defaults, leaving any value the user set alone."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
