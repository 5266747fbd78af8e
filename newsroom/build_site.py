"""Build The Sample Newsroom's article pages from newsroom/articles/*.txt (run: python build_site.py).

Each source is a header of `key: value` lines, a blank line, then paragraphs separated by blank
lines. A `seed:` key takes the headline and body from warehouse/seeds/<seed>.txt instead; each
`replace: old => new` line then edits the body (a block left empty is dropped). A `set:` key puts
a page in a set of its own (default `main`): the "Most read" and "Related" links of a page point
only at pages of its set, and the home page lists only the main set, so adding a set (the
backfill pages, `set: backfill`) leaves every existing page byte for byte as it was.
The three real pages are copied unchanged from the extraction benchmark when it is available.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import re
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
SITE = HERE / "site"
SEEDS = HERE.parent / "warehouse" / "seeds"
BENCHMARK = HERE.parent.parent / "shared" / "data" / "extraction-benchmark" / "html"
MARKER = "SAMPLE CONTENT — written for the sinorus demo; not real news."
REAL_PAGES = {  # served path -> benchmark page id prefix (see SOURCE.md)
    "/markets/2019/11/19/oversupply-angst-drags-oil-lower.html": "57d46c9d",
    "/sport/2019/11/19/nadal-keeps-spain-alive-davis-cup.html": "0d461229",
    "/science/2019/11/18/water-plumes-above-europa.html": "14cc2a0c",
}
NAV = ["World", "Asia", "Europe", "Americas", "Business", "Markets", "Energy", "Technology",
       "Science", "Climate", "Sport", "Analysis", "Opinion", "Culture", "Podcasts"]  # fmt: skip
CHROME = {  # section -> (tagline, newsletter title, newsletter pitch)
    "world": ("Independent reporting from every continent", "The World Briefing",
              "The five stories you need to understand the world, every weekday at 7am."),
    "asia": ("Asia, explained by the people who live there", "Asia Dispatch",
             "Our correspondents in Beijing, Tokyo and Delhi, in your inbox twice a week."),
    "business": ("Markets, money and the people who move them", "Business Daily",
                 "Deals, earnings and the numbers behind the headlines, before the bell."),
    "analysis": ("Slow news for a fast world", "The Long Read",
                 "One essay every Sunday. No hot takes, we promise."),
}  # fmt: skip
FOOTER = ["About us", "Contact", "Careers", "Advertise", "Terms of use", "Privacy policy",
          "Cookie settings", "Accessibility", "Corrections", "RSS feeds"]  # fmt: skip
MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def parse_source(path: Path) -> dict:
    """Return the header fields of a source file, with 'blocks' (body paragraphs) added."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta: dict = {"before": [], "after": [], "replace": []}
    for line in head.splitlines():
        key, _, value = line.partition(": ")
        if key in ("before", "after"):
            meta[key].append(value)
        elif key == "replace":
            old, _, new = value.partition(" =>")
            meta[key].append((old.strip(), new.strip()))
        else:
            meta[key] = value
    if "seed" in meta:
        blocks = split_blocks(MD_LINK.sub(r"\1", (SEEDS / f"{meta['seed']}.txt").read_text()))
        meta.setdefault("title", blocks[0])
        meta["blocks"] = blocks[1:]
    else:
        meta["blocks"] = split_blocks(body)
    for old, new in meta["replace"]:
        if not any(old in b for b in meta["blocks"]):
            sys.exit(f"{path.name}: replace: {old!r} is not in the text")
        meta["blocks"] = [b.replace(old, new).strip() for b in meta["blocks"]]
    meta["blocks"] = [b for b in meta["blocks"] if b]
    return meta


def split_blocks(text: str) -> list[str]:
    """Return the non-empty blank-line-separated blocks of text, stripped."""
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def render_block(block: str) -> str:
    """Return one body block as HTML: a list if every line is a bullet, else a paragraph."""
    lines = block.splitlines()
    if all(line.startswith("- ") for line in lines):
        items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return "<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>"


def slug(text: str) -> str:
    """Return a URL slug for text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def link_list(items: list[tuple[str, str]], tag: str) -> str:
    """Return an <ol>/<ul> of (title, path) links."""
    lis = "".join(f'<li><a href="{p}">{html.escape(t)}</a></li>\n' for t, p in items)
    return f"<{tag}>\n{lis}</{tag}>"


def render_page(meta: dict, others: list[tuple[str, str]], index: int) -> str:
    """Return the full HTML page of one article; others are (title, path) for the link lists."""
    title, section, path = meta["title"], meta["section"], meta["path"]
    tagline, news_title, news_pitch = CHROME.get(section, CHROME["world"])
    pool = [o for o in others if o[1] != path]
    if not meta.get("published"):
        # htmldate's extensive search would take a date from dated link URLs: use short links
        pool = [(t, "/s/" + hashlib.sha1(p.encode()).hexdigest()[:8]) for t, p in pool]
    most_read = [pool[(index * 3 + k) % len(pool)] for k in range(6)]
    related = [pool[(index * 5 + 2 + k) % len(pool)] for k in range(3)]
    blocks = list(meta["blocks"])
    comment = ""
    if meta.get("sample") == "yes":
        blocks[0] = f"{MARKER} {blocks[0]}"
        comment = f"<!-- {MARKER} -->\n"
    body = "\n".join(
        [f'<p class="note">{html.escape(b)}</p>' for b in meta["before"]]
        + [render_block(b) for b in blocks]
        + [f'<p class="note">{html.escape(b)}</p>' for b in meta["after"]]
    )
    published, date_meta, date_line = meta.get("published"), "", ""
    if published:
        when = datetime.fromisoformat(published)
        date_meta = f'<meta property="article:published_time" content="{published}">\n'
        human = f"{when.day} {when:%B %Y, %H:%M} GMT"
        date_line = f' · <time datetime="{published}">{human}</time>'
    nav = "".join(f'<li><a href="/{n.lower()}/">{n}</a></li>' for n in NAV)
    foot = "".join(f'<li><a href="/about/{slug(n)}.html">{n}</a></li>' for n in FOOTER)
    e = html.escape
    return f"""<!DOCTYPE html>
{comment}<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} | {section.title()} | The Sample Newsroom</title>
<meta name="description" content="{e(meta["description"])}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(title)}">
<meta property="og:description" content="{e(meta["description"])}">
<meta property="og:site_name" content="The Sample Newsroom">
<meta property="og:url" content="{{{{BASE}}}}{path}">
<meta name="author" content="{e(meta["author"])}">
{date_meta}<meta property="article:section" content="{section.title()}">
<link rel="canonical" href="{{{{BASE}}}}{path}">
<link rel="alternate" type="application/rss+xml" title="World" href="{{{{BASE}}}}/feeds/world.rss">
<link rel="stylesheet" href="/static/site.css">
</head>
<body class="section-{section}">
<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookie consent">
<p>We and our 143 partners use cookies to personalise content and ads and to analyse our traffic.
You can change your choices at any time in <a href="/about/cookie-settings.html">Cookie settings</a>.</p>
<button type="button">Accept all</button> <button type="button">Manage preferences</button>
</div>
<header class="site-header">
<a class="logo" href="/">The Sample Newsroom</a>
<p class="tagline">{tagline}</p>
<a class="subscribe" href="/subscribe/">Subscribe</a> <a class="login" href="/account/">Sign in</a>
<nav class="main-nav" aria-label="Sections"><ul>{nav}</ul></nav>
</header>
<main>
<article class="story">
<p class="kicker"><a href="/{section}/">{section.title()}</a></p>
<h1>{e(title)}</h1>
<p class="byline">By <a rel="author" href="/authors/{slug(meta["author"])}.html">{e(meta["author"])}</a>{date_line}</p>
<div class="story-body">
{body}
</div>
</article>
<aside class="sidebar">
<section class="most-read"><h2>Most read</h2>
{link_list(most_read, "ol")}
</section>
<section class="newsletter"><h2>{news_title}</h2><p>{news_pitch}</p>
<form action="/newsletter/signup" method="post"><input type="email" name="email" placeholder="Your email address">
<button type="submit">Sign up</button></form></section>
</aside>
<section class="related"><h2>Related stories</h2>
{link_list(related, "ul")}
</section>
</main>
<footer class="site-footer">
<ul>{foot}</ul>
<p>© The Sample Newsroom. All rights reserved. A fictional outlet made for testing the sinorus news monitor.</p>
</footer>
</body>
</html>
"""


def write(path: str, text: str | bytes) -> None:
    """Write text or bytes to the site file for a URL path."""
    target = SITE / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")


def main() -> None:
    """Write every article page, the real pages and the home page."""
    sets: dict[str, list[dict]] = {}
    for source in sorted(ARTICLES.glob("*.txt")):
        meta = parse_source(source)
        sets.setdefault(meta.get("set", "main"), []).append(meta)
    for metas in sets.values():
        links = [(m["title"], m["path"]) for m in metas]
        for i, meta in enumerate(metas):
            write(meta["path"], render_page(meta, links, i))
    links = [(m["title"], m["path"]) for m in sets["main"]]
    for path, prefix in REAL_PAGES.items():
        found = sorted(BENCHMARK.glob(f"{prefix}*.html.gz"))
        if found:
            write(path, gzip.decompress(found[0].read_bytes()))
        elif not (SITE / path.lstrip("/")).exists():
            sys.exit(f"missing benchmark page {prefix} for {path}")
    home = link_list(sorted(links, key=lambda t: t[1]), "ul")
    write(
        "/index.html",
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The Sample Newsroom</title>
<link rel="alternate" type="application/rss+xml" title="World" href="{{{{BASE}}}}/feeds/world.rss">
<link rel="alternate" type="application/atom+xml" title="Asia" href="{{{{BASE}}}}/feeds/asia.atom">
<link rel="alternate" type="application/rdf+xml" title="Analysis" href="{{{{BASE}}}}/feeds/analysis.rdf">
</head><body><h1>The Sample Newsroom</h1><p>A fictional news site for the sinorus demo.</p>
{home}
</body></html>
""",
    )


if __name__ == "__main__":
    main()
