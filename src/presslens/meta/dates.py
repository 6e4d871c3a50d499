"""Publication dates with evidence: the entry points the clean stage calls.

``dates_from_text`` reads a scraped text page by where its dates sit (headline,
byline, dateline, header widget); ``dates_from_html`` reads an HTML page through
htmldate and points at the span of the source the date came from.
"""

from presslens.meta.dates_html import dates_from_html
from presslens.meta.dates_text import dates_from_text

__all__ = ["dates_from_html", "dates_from_text"]
