"""The report's small pieces of HTML (links, counts, times, tables, relevance evidence) and the
reading of a named query into rows, shared by the report's sections. Stored text is escaped
everywhere: it comes from pages on the web."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

import duckdb

from warehouse import sql


def query_rows(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list[dict]:
    """Return the rows of the named query as dicts by column."""
    cursor = con.execute(sql(name), params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def data_uri(png: bytes) -> str:
    """Return a PNG as a data: URI (the report fetches nothing)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def link_html(url: str | None, text: str) -> str:
    """Return an <a> to a stored web address, or the text alone for anything that is not one."""
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{escape(url)}">{escape(text)}</a>'
    return escape(text)


def count(n: int, noun: str) -> str:
    """Return "1 story", "3 stories", "2 outlets"."""
    plural = "stories" if noun == "story" else f"{noun}s"
    return f"{n} {noun if n == 1 else plural}"


def when(value: Any) -> str:
    """Return a time to the minute ("" for none)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def evidence_html(raw: str | None, relevance: float | None) -> str:
    """Return the relevance evidence of an article (articles.relevance_evidence) as HTML."""
    try:
        evidence = json.loads(raw) if raw else {}
    except ValueError:
        evidence = {}
    parts = [f"relevance {relevance:.1f}" if relevance is not None else "relevance ?"]
    for side, label in (("china", "China"), ("russia", "Russia"), ("relation_terms", "relation")):
        terms = evidence.get(side) or []
        if terms:
            parts.append(f"{label}: {', '.join(str(term) for term in terms)}")
    if evidence.get("joint_sentences"):
        parts.append(f"{evidence['joint_sentences']} sentences name both sides")
    html = f'<div class="muted">{escape(" · ".join(parts))}</div>'
    for example in (evidence.get("examples") or [])[:2]:
        # the examples are cut at a fixed length: an ellipsis says so, unless a sentence ended
        text = str(example) if str(example).endswith((".", "!", "?", '"')) else f"{example}…"
        html += f"<blockquote>{escape(text)}</blockquote>"
    return html


def table_html(
    columns: Iterable[str], rows: Iterable[Iterable[str]], row_class=None, css: str = ""
) -> str:
    """Return a <table> of cells already HTML (`row_class(i)`: a class for row i, or "")."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, cells in enumerate(rows):
        classes = row_class(i) if row_class else ""
        attribute = f' class="{classes}"' if classes else ""
        body.append(f"<tr{attribute}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    table_class = f' class="{css}"' if css else ""
    return (
        f"<table{table_class}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
