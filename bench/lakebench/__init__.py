"""The parts of bench/lake.py (its entry point), by what they make or measure.

    shape             what the synthetic lake and the measured batches look like (constants)
    synthetic         synthetic stored articles, their mentions and duplicate keys, in bulk
    build             a lake filled with them, checked against fingerprint(); its row counts
    articles          real-text planted originals and the measured batches of 50
    queries           the views and the README's questions, timed
    batches           a batch's duplicate lookup and commit, and its commit step by step
    prototype_tables  the bench-only tables and queries of the proposed fixes
    prototypes        a batch commit as proposed, and the prototypes' measurements
    children          fresh processes: a run's start-up, a run-like process's peak memory
    table             the printed table: every measurement by size, ratios and goals

Like bench/lake.py, these modules import only the standard library (and each other) at the top:
project modules, numpy and DuckDB are imported inside functions, so that the start-up child
times its own imports and the generation workers (spawned processes) start light.
"""
