"""The articles the measured batches carry: planted originals of real text, and batches of 50.

Texts are real sentences of the repository (the seed corpus, the sample newsroom, the evaluation
texts), so that relevance and the duplicate layers see what they see in a run. Every batch is the
same at every lake size.
"""

from __future__ import annotations

import re

from bench.lakebench.shape import BATCH, COLUMN_TITLES, ROOT, SEED

PLANTED = 32  # originals of real text whose near-copies the measured batches carry
KINDS = ("reformatted", "appended", "truncated", "edited")
TEXT_DIRS = ("warehouse/seeds", "newsroom/articles", "tests/eval/relevance")


def sentence_pool() -> list[str]:
    """Return the distinct sentences of the repository's real texts (seeds, newsroom, eval)."""
    pool: dict[str, None] = {}
    for folder in TEXT_DIRS:
        for path in sorted((ROOT / folder).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if text.startswith("label:"):
                text = text.split("\n\n", 1)[-1]
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                sentence = " ".join(sentence.split())
                if len(sentence.split()) >= 8:
                    pool.setdefault(sentence, None)
    return list(pool)


def real_text(rng, pool: list[str], sentences: int) -> str:
    """Return an article-like text: `sentences` sentences of the pool, in paragraphs of four."""
    picked = [pool[j] for j in rng.choice(len(pool), sentences, replace=False).tolist()]
    return "\n\n".join(" ".join(picked[i : i + 4]) for i in range(0, len(picked), 4))


def planted_articles(now) -> list:
    """Return the planted originals: real sentences, dated within the last 30 days."""
    from datetime import timedelta

    import numpy as np

    from tasks.extract import Article
    from tasks.urls import Candidate

    rng = np.random.default_rng([SEED, 10])
    pool = sentence_pool()
    articles = []
    for k in range(PLANTED):
        text = real_text(rng, pool, int(rng.integers(20, 36)))
        title = f"Planted story number {k} on China Russia relations"
        url = f"https://planted.example.com/2026/story-{k}"
        published = now - timedelta(days=float(rng.uniform(1, 25)))
        candidate = Candidate(
            canonical_url=url,
            url=url,
            origin="monitor",
            source="The Diplomat",
            title=title,
            published_at=published,
        )
        articles.append(
            Article(
                candidate=candidate,
                url=url,
                fetched_at=published,
                text=text,
                title=title,
                sitename="The Diplomat",
                language="en",
                published_at=published,
                date_source="page",
            )
        )
    return articles


def batch_articles(number: int, planted: list, now, prefix: str = "batch") -> list[tuple]:
    """Return batch `number` as (Article, expected duplicate_of or None): 45 fresh real-ish texts,
    4 near-copies of planted originals and a daily column's next edition; the same at every size."""
    from datetime import timedelta

    import numpy as np

    from tasks.extract import Article
    from tasks.urls import Candidate

    rng = np.random.default_rng([SEED, 11, number])
    pool = sentence_pool()
    out = []

    def article(url, title, source, text, published):
        candidate = Candidate(
            canonical_url=url,
            url=url,
            origin="monitor",
            source=source,
            title=title,
            published_at=published,
        )
        return Article(
            candidate=candidate,
            url=url,
            fetched_at=now,
            text=text,
            title=title,
            sitename=source,
            language="en",
            published_at=published,
            date_source="page",
        )

    for j, kind in enumerate(KINDS):
        original = planted[(number * len(KINDS) + j) % len(planted)]
        paragraphs = original.text.split("\n\n")
        if kind == "reformatted":  # other page chrome: the same words, re-wrapped
            text = " ".join(original.text.split())
        elif kind == "appended":  # an editor's paragraph added
            text = original.text + "\n\n" + real_text(rng, pool, 4)
        elif kind == "truncated":  # the first half only
            text = "\n\n".join(paragraphs[: max(1, len(paragraphs) // 2)])
        else:  # one sentence rewritten
            sentences = re.split(r"(?<=[.!?])\s+", original.text)
            at = len(sentences) // 2
            sentences[at] = real_text(rng, pool, 1)
            text = " ".join(sentences)
        url = f"https://{prefix}-{number}-copy-{j}.example.org/{kind}"
        copy = article(url, original.title, f"Mirror {j}", text, original.published_at)
        out.append((copy, original.candidate.canonical_url))
    series_title = COLUMN_TITLES[0]
    out.append(
        (
            article(
                f"https://tass.com/{prefix}-{number}/column",
                series_title,
                "TASS (English)",
                real_text(rng, pool, 12),
                now - timedelta(hours=2),
            ),
            None,
        )
    )
    for j in range(BATCH - len(out)):
        title = f"{prefix.capitalize()} {number} story {j}: " + " ".join(
            real_text(rng, pool, 1).split()[:6]
        )
        out.append(
            (
                article(
                    f"https://news{j % 7}.example.net/{prefix}-{number}/story-{j}",
                    title,
                    ["The Moscow Times", "Global Times", "DW — World", "Al Jazeera"][j % 4],
                    real_text(rng, pool, int(rng.integers(15, 35))),
                    now - timedelta(hours=float(rng.uniform(1, 20))),
                ),
                None,
            )
        )
    order = rng.permutation(len(out)).tolist()
    return [out[i] for i in order]


def outcome(loaded_or_assessed, expected: dict[str, str | None]) -> dict[str, int]:
    """Return counts of planted copies found / missed / wrong, and false duplicates."""
    counts = {"found": 0, "missed": 0, "wrong": 0, "false": 0}
    for item in loaded_or_assessed:
        url = item.article.candidate.canonical_url
        want, got = expected[url], item.duplicate
        if want is None:
            counts["false"] += got is not None
        elif got is None:
            counts["missed"] += 1
        elif got.of == want:
            counts["found"] += 1
        else:
            counts["wrong"] += 1
    return counts


def agreement(assessed: list, judged: list, reference) -> tuple[int, int]:
    """Return how many of the batch's duplicate decisions equal, and differ from, those of the
    in-memory `reference` index (a DedupIndex, which then holds the batch's originals too)."""
    from tasks.duplicates import match_batch

    memory = {
        i.article.candidate.canonical_url: i.duplicate and i.duplicate.of
        for i in match_batch(judged, reference)
    }
    same = sum(
        memory[item.article.candidate.canonical_url] == (item.duplicate and item.duplicate.of)
        for item in assessed
    )
    return same, len(assessed) - same
