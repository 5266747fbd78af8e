"""What a backfill source lists for a window, and the concurrent walk the sources share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from config.settings import Settings
from tasks.http import make_client
from tasks.urls import Candidate

if TYPE_CHECKING:
    from tasks.backfill import Job

Walker = Callable[[Any, Any, "Job", Settings], Awaitable["Discovery"]]


@dataclass
class Discovery:
    """What a source listed for the window, and what it had to say (errors included)."""

    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def walk_all(settings: Settings, job: Job, starts: list, walk: Walker) -> Discovery:
    """Return the merged discoveries of `walk(client, start, job, settings)` run on every start
    concurrently (a feed, a site …), sharing one HTTP client."""

    async def everything() -> list[Discovery]:
        async with make_client(settings.fetch) as client:
            return await asyncio.gather(*(walk(client, start, job, settings) for start in starts))

    found = Discovery()
    for result in asyncio.run(everything()):
        found.candidates += result.candidates
        found.notes += result.notes
    return found
