"""The parts of bench/events.py (its entry point), by what they make or measure.

    synthetic   a news stream of events: stored reports and their signals in bulk, the new ones
    build       a lake holding N stored reports with their events; its bytes per table
    batches     the event decision of batches of new reports, committed: time, CPU, memory
    encoder     the sentence encoder's load and its cost per article, short and long texts

Like bench/lakebench, these modules import only the standard library (and each other) at the
top: project modules, numpy and DuckDB are imported inside functions.
"""
