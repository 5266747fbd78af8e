"""Backfill: filling a past window by hand.

window.py (the job and which articles belong to it; pure), sources/ (one module per place that
lists URLs: feeds' archives, sitemaps, GDELT, URL files), listing.py (the walk they share),
discover.py (the discovery task), queue.py (the job's queue in the warehouse), lease.py (a pooled
job's claims). The batches go through the one stage order (tasks/pipeline.py) into the
`Queued` sink (tasks/sinks.py).
"""
