"""Terms for `emerging_terms`: the words and two-word phrases a story is about, each once.

Stop words come from stopwords-iso (one list per ISO 639-1 code, 50+ languages); scripts written
without spaces (Chinese, Japanese) are cut into overlapping two-character words instead, the
usual unit for counting Chinese text without a dictionary.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import stopwordsiso

MAX_TERMS = 60  # per story: the most frequent; a long text's tail says little about its subject
# A word, or anything that ends a phrase (punctuation, a number, a short word).
TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]|\d+")
SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@cache
def stop_words(language: str | None) -> frozenset[str]:
    """Return the stop words of a language, English's always included (news quotes it)."""
    words = set(stopwordsiso.stopwords("en"))
    code = (language or "").split("-")[0].lower()
    if code and stopwordsiso.has_lang(code):
        words |= stopwordsiso.stopwords(code)
    return frozenset(word.lower() for word in words)


def story_terms(title: str | None, text: str, language: str | None) -> tuple[str, ...]:
    """Return the story's most frequent terms (words, two-word phrases, CJK pairs), each once."""
    stops = stop_words(language)
    counts: Counter[str] = Counter()
    for part in (title or "", text):
        spaceless = [run for run in SPACELESS.findall(part) if len(run) >= 2]
        for run in spaceless:
            counts.update(run[i : i + 2] for i in range(len(run) - 1))
        previous = None
        for token in TOKEN.findall(SPACELESS.sub(" . ", part)):
            word = token.lower()
            if len(word) < 3 or not word.isalpha() or word in stops:
                previous = None
                continue
            counts[word] += 1
            if previous is not None:
                counts[f"{previous} {word}"] += 1
            previous = word
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(term for term, _ in ranked[:MAX_TERMS])
