"""Lines that recur across pages of one site are chrome: count them per batch.

Pages are grouped by site (URL host, else the folder they were read from). A page
that shares most of its lines with another is a copy of the same story (syndication,
a re-crawl), so such pairs are not counted: otherwise the body of a syndicated
article would look like boilerplate.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from presslens.clean.lines import split_lines
from presslens.model import RawPage

NEAR_COPY = 0.5  # share of lines two pages have in common beyond which they are copies


def site_key(page: RawPage) -> str:
    """The group a page's chrome is shared with: its host, else its folder."""
    if page.source.url:
        host = urlsplit(page.source.url).hostname or ""
        if host:
            return host.removeprefix("www.")
    return os.path.dirname(page.source.path or "")


def repeat_counts(pages: Sequence[RawPage]) -> dict[int, list[int]]:
    """For each text page (keyed by ``id(page)``): per line, how many other pages hold it."""
    groups: dict[str, list[RawPage]] = defaultdict(list)
    for page in pages:
        if not page.is_html:
            groups[site_key(page)].append(page)
    out: dict[int, list[int]] = {}
    for group in groups.values():
        line_sets = [[line.text for line in split_lines(p.text)] for p in group]
        uniq = [set(lines) for lines in line_sets]
        for i, page in enumerate(group):
            others = [u for j, u in enumerate(uniq) if j != i and not _near_copy(uniq[i], u)]
            counts: Counter[str] = Counter()
            for u in others:
                counts.update(uniq[i] & u)
            out[id(page)] = [counts[text] for text in line_sets[i]]
    return out


def _near_copy(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) > NEAR_COPY
