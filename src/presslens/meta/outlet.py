"""Which outlet published a scraped page, and which agency it credits.

Evidence, strongest first: the outlet's name printed as a dateline prefix and
again in the page chrome ("Islam Times - Iran's ..." + a footer "Islam Times"),
a breadcrumb's root crumb, a site-name line in the chrome ("Al-Ahed Telegram"),
a chrome line naming a known outlet, and the URL's host when the page came with one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from presslens.clean.lines import Line
from presslens.meta import registry
from presslens.meta.found import Found, evidence
from presslens.meta.title import breadcrumb_parts
from presslens.model import Field

# "Name - " / "Name – " / "NAME (Agency) -" at the start of the first paragraph.
DATELINE = re.compile(r"^(?P<name>[A-Z][\w’'.&-]*(?: [A-Z][\w’'.&-]*){0,4})\s*[-–—]\s+(?=\S)")
# A site's social link in the chrome: "<Site> Telegram".
SOCIAL = re.compile(
    r"^(?P<name>[A-Z][\w’'.&-]*(?: [A-Z][\w’'.&-]*){0,3}) "
    r"(?:Telegram|Twitter|X|Facebook|Instagram|YouTube|WhatsApp|RSS|TikTok)$"
)
HOME_CRUMBS = {"home", "homepage", "main", "start"}


def find_outlet(lines: Sequence[Line], body_start: int, url: str | None, chrome: set[int]) -> Found:
    """Outlet of the page; ``chrome`` are the indices of lines judged boilerplate."""
    chrome_lines = [ln for ln in lines if ln.index in chrome]
    chrome_names = {ln.text.casefold(): ln for ln in chrome_lines}

    if body_start < len(lines) and (m := DATELINE.match(lines[body_start].text)):
        name = m.group("name")
        known = registry.by_name(name)
        if name.casefold() in chrome_names or (known and known.kind == "outlet"):
            field = Field(
                known.name if known else name,
                evidence(lines[body_start], 0, len(name)),
                0.9,
                "dateline_prefix",
            )
            return Found(field, reason="outlet", prefix=(body_start, m.end()))

    for ln in chrome_lines:
        crumbs = breadcrumb_parts(ln.text)
        if crumbs and crumbs[0].casefold() not in HOME_CRUMBS:
            field = Field(crumbs[0], evidence(ln, 0, len(crumbs[0])), 0.8, "breadcrumb_root")
            return Found(field, (ln.index,), "breadcrumb")

    for ln in chrome_lines:
        if m := SOCIAL.match(ln.text):
            name = m.group("name")
            known = registry.by_name(name)
            field = Field(
                known.name if known else name, evidence(ln, 0, len(name)), 0.7, "site_name_line"
            )
            return Found(field, (ln.index,), "site_name")

    for ln in chrome_lines:
        known = registry.by_name(ln.text)
        if known and known.kind == "outlet":
            return Found(
                Field(known.name, evidence(ln), 0.7, "known_outlet_line"), (ln.index,), "site_name"
            )

    return from_url(url)


def from_url(url: str | None) -> Found:
    """Outlet from the page's URL: a known outlet's name, else the host itself."""
    if not url:
        return Found(Field(note="no site name in the page and no URL"))
    known = registry.by_url(url)
    if known:
        return Found(Field(known.name, None, 0.9, "url_host", f"host of {url}"))
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if not host:
        return Found(Field(note="no site name in the page and no URL host"))
    return Found(Field(host, None, 0.6, "url_host", f"host of {url}; not a known outlet"))
