"""ISO timestamps from WARC headers, JSONL fields and the command line, always timezone-aware.

Naive timestamps are taken as UTC so that crawl times from different inputs compare
without ``TypeError`` in the date stage; WARC-Date is UTC by definition.
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time ("2024-05-01", "2024-05-01T10:00:00Z").

    Raises ``ValueError`` with a readable message when ``value`` is not one.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
