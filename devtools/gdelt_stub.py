"""A replay of the GDELT DOC 2.0 API (mode=artlist, format=json) for the sample newsroom."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_RECORDS = 75
MAX_RECORDS = 250
STAMP = "%Y%m%d%H%M%S"  # startdatetime / enddatetime
SEEN = "%Y%m%dT%H%M%SZ"  # seendate in the answers
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


def _error(message: str) -> tuple[bytes, str]:
    # GDELT's kind of error: HTTP 200, text/html, a short text.
    return (message + "\n").encode(), HTML


def gdelt_answer(query: dict[str, list[str]], articles: Path, base_url: str) -> tuple[bytes, str]:
    """Return the body and content type GDELT would answer (always with HTTP 200).

    Replays `articles` (newsroom/gdelt/articles.json): the articles whose seendate lies in
    [startdatetime, enddatetime) (a missing bound is open), newest first (sort=dateasc turns
    that round; any other sort is treated as datedesc), at most maxrecords (default 75, at most
    250). No article answers `{}`. The query text is not matched against the articles, except
    that a query containing the word `badquery`, like any request the API would reject, gets a
    short text/html error message, as the real API does.
    """
    arg = {k: v[-1].strip() for k, v in query.items()}
    text = arg.get("query", "")
    if not text:
        return _error("The query was too short or empty.")
    if re.search(r"\bbadquery\b", text, re.IGNORECASE):
        return _error("Invalid query: please check your search syntax and try again.")
    if arg.get("mode", "artlist").lower() != "artlist":
        return _error("Invalid mode: this replay answers mode=artlist only.")
    if arg.get("format", "html").lower() != "json":
        return _error("Invalid format: this replay answers format=json only.")
    bounds = []
    for name in ("startdatetime", "enddatetime"):
        value = arg.get(name, "")
        try:
            bounds.append(datetime.strptime(value, STAMP) if value else None)
        except ValueError:
            return _error(f"Invalid {name}: use YYYYMMDDHHMMSS.")
    start, end = bounds
    try:
        limit = int(arg.get("maxrecords") or DEFAULT_RECORDS)
    except ValueError:
        limit = DEFAULT_RECORDS
    limit = max(1, min(limit, MAX_RECORDS))
    raw = articles.read_text(encoding="utf-8")
    raw = raw.replace("{{BASE}}", base_url)
    raw = raw.replace("{{HOST}}", urlsplit(base_url).hostname or "")
    found = []
    for article in json.loads(raw).get("articles", []):
        seen = datetime.strptime(article["seendate"], SEEN)
        if (start is None or seen >= start) and (end is None or seen < end):
            found.append((seen, article))
    newest_first = arg.get("sort", "datedesc").lower() != "dateasc"
    found.sort(key=lambda pair: pair[0], reverse=newest_first)
    answer = {"articles": [a for _, a in found[:limit]]} if found else {}
    return json.dumps(answer, ensure_ascii=False, indent=1).encode(), JSON
