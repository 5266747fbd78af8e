"""Progress of a long run, told to whoever listens: Prefect's logs and artifacts, and the CLI.

A flow run started by a deployment has only Prefect to tell; one started by `sinorus run` or
`sinorus backfill` in the same process also has the terminal's progress bars, registered here as
a listener.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

Listener = Callable[[str, int, int], None]  # (what, done, total)
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    """Have `listener(what, done, total)` called at every step."""
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop calling `listener`."""
    if listener in _listeners:
        _listeners.remove(listener)


def _logger() -> logging.Logger | logging.LoggerAdapter:
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("sinorus")


@dataclass
class Tracker:
    """Counts work done out of a total and reports each step."""

    name: str
    total: int
    unit: str = "URLs"
    done: int = 0
    artifact_id: object = field(default=None, repr=False)

    def start(self) -> Tracker:
        """Return the tracker after announcing the total."""
        from prefect.artifacts import create_progress_artifact
        from prefect.exceptions import MissingContextError

        try:
            self.artifact_id = create_progress_artifact(
                progress=0.0, description=f"{self.name}: {self.total} {self.unit} to process"
            )
        except MissingContextError:
            self.artifact_id = None
        self._tell()
        return self

    def advance(self, step: int) -> None:
        """Count `step` more done and report."""
        self.done += step
        if self.artifact_id is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self.artifact_id, progress=self.percent)
        self._tell()

    @property
    def percent(self) -> float:
        """Return the share done, in percent."""
        return 100.0 * self.done / self.total if self.total else 100.0

    def _tell(self) -> None:
        _logger().info(
            "%s: %d/%d %s (%.0f%%)", self.name, self.done, self.total, self.unit, self.percent
        )
        for listener in list(_listeners):
            listener(self.name, self.done, self.total)
