"""The concurrent walk the backfill sources share: one HTTP client, every start at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from config.settings import Settings
from tasks.backfill.window import Discovery, Job
from tasks.http import make_client

Walker = Callable[[Any, Any, Job, Settings], Awaitable[Discovery]]


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
