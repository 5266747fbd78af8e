"""A backfill's queue shared by many workers: claims with a lease, and what a worker waits for.

A worker claims a batch of the job's pending URLs under the writer lock, for `lease_seconds`;
the entries stay 'pending' (with `claimed_by`, `claim_id`, `lease_until`) until the batch's commit
records what became of them (queue.py, `load_backfill_batch(..., worker=…)`). Each claim also
renews the worker's earlier claims still in flight, and so does a heartbeat while the worker runs
(`renewing`): a worker waiting on the commit slot or a slow host makes no claims. A worker that
dies holds nothing past its lease: the entries become claimable again, and another worker fetches
them. Should a live one lose a lease all the same (its heartbeat failing), its batch may be
fetched twice; the warehouse stores each page once (the batch commit skips URLs already stored,
`tasks/load.py`), and only the holder records the status.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from prefect import task
from prefect.cache_policies import NONE

from tasks.backfill.queue import queued_candidates
from tasks.backfill.window import Job
from tasks.clock import CLOCK, Clock
from tasks.commit import committing
from tasks.records import Candidate
from warehouse import Lake, reader, sql

log = logging.getLogger("sinorus.backfill")


@dataclass(frozen=True)
class Leases:
    """What other workers hold of a job's pending URLs."""

    leased: int
    first_expiry: datetime | None

    def wait_seconds(self, now: datetime) -> float | None:
        """Return how long until the first of them may be claimed, or None if none is held."""
        if not self.leased or self.first_expiry is None:
            return None
        return max((self.first_expiry - now).total_seconds(), 0.0)


def load_job(lake: Lake, job_id: str) -> Job:
    """Return the job as recorded in the warehouse; raises LookupError if there is none."""
    with reader(lake) as con:
        row = con.execute(sql("backfill_job_spec"), {"job_id": job_id}).fetchone()
    if row is None:
        raise LookupError(f"no backfill job {job_id!r} in the warehouse")
    job_id, source, since, until, undated, arguments, status = row
    return Job(
        job_id=job_id,
        source=source,
        since=since if isinstance(since, date) else date.fromisoformat(str(since)),
        until=until if isinstance(until, date) else date.fromisoformat(str(until)),
        undated=undated,
        arguments=json.loads(arguments) if isinstance(arguments, str) else arguments,
        discovered=status in ("discovered", "completed"),
    )


def reopen(lake: Lake, job: Job, clock: Clock = CLOCK) -> int:
    """Return how many URLs are pending for the job's workers, after making its transient
    failures pending again and marking those stored meanwhile as known."""
    now = clock.now()
    with committing(lake, "backfill reopen", None) as con:
        con.execute(sql("mark_known"), {"job_id": job.job_id, "now": now})
        con.execute(sql("backfill_reopen"), {"job_id": job.job_id, "now": now})
        (pending,) = con.execute(sql("backfill_pending_count"), {"job_id": job.job_id}).fetchone()
    return pending


def claim(
    lake: Lake, job: Job, worker: str, size: int, lease_seconds: float, clock: Clock = CLOCK
) -> list[Candidate]:
    """Return up to `size` pending URLs of the job, claimed for `worker` until the lease ends."""
    now, claim_id = clock.now(), uuid.uuid4().hex
    with committing(lake, "backfill claim", None) as con:
        con.execute(
            sql("backfill_claim"),
            {
                "job_id": job.job_id,
                "now": now,
                "size": size,
                "worker": worker,
                "claim_id": claim_id,
                "lease_until": now + timedelta(seconds=lease_seconds),
            },
        )
        rows = con.execute(
            sql("backfill_claimed"), {"job_id": job.job_id, "claim_id": claim_id}
        ).fetchall()
    return queued_candidates(rows)


def renew(lake: Lake, job: Job, worker: str, lease_seconds: float, clock: Clock = CLOCK) -> None:
    """Extend the lease of every URL `worker` holds of the job and has not committed yet."""
    now = clock.now()
    with committing(lake, "backfill renew", None) as con:
        con.execute(
            sql("backfill_renew"),
            {
                "job_id": job.job_id,
                "worker": worker,
                "lease_until": now + timedelta(seconds=lease_seconds),
            },
        )


@contextmanager
def renewing(
    lake: Lake, job: Job, worker: str, lease_seconds: float, clock: Clock = CLOCK
) -> Iterator[None]:
    """Renew `worker`'s leases every third of a lease while the block runs (a heartbeat)."""
    done = threading.Event()

    def beat() -> None:
        while not clock.wait(done, lease_seconds / 3):
            try:
                renew(lake, job, worker, lease_seconds, clock)
            except Exception as exc:  # the next beat, or the next claim, renews them
                log.warning(
                    "could not renew the leases of %s: %s: %s", worker, type(exc).__name__, exc
                )

    heart = threading.Thread(target=beat, name="sinorus-lease-renewal", daemon=True)
    heart.start()
    try:
        yield
    finally:
        done.set()
        heart.join()


def leases(lake: Lake, job: Job, worker: str, clock: Clock = CLOCK) -> Leases:
    """Return what workers other than `worker` hold of the job's pending URLs right now."""
    with reader(lake) as con:
        leased, first = con.execute(
            sql("backfill_leases"), {"job_id": job.job_id, "now": clock.now(), "worker": worker}
        ).fetchone()
    return Leases(leased, first)


reopen_task = task(reopen, name="backfill-reopen", cache_policy=NONE)
claim_task = task(claim, name="backfill-claim", cache_policy=NONE)
leases_task = task(leases, name="backfill-leases", cache_policy=NONE)
