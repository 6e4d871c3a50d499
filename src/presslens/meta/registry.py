"""Known outlets and news agencies (``data/outlets.csv``), looked up by name or domain."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from presslens.resources import read_csv


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    kind: str  # "outlet" | "agency"
    country: str
    domains: tuple[str, ...]


@cache
def _tables() -> tuple[dict[str, Outlet], dict[str, Outlet]]:
    by_name: dict[str, Outlet] = {}
    by_domain: dict[str, Outlet] = {}
    for row in read_csv("outlets.csv"):
        outlet = Outlet(row["name"], row["kind"], row["country"], tuple(row["domains"].split()))
        for alias in [row["name"], *filter(None, row["aliases"].split("|"))]:
            by_name[_norm(alias)] = outlet
        for domain in outlet.domains:
            by_domain[domain] = outlet
    return by_name, by_domain


def _norm(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


def by_name(name: str) -> Outlet | None:
    return _tables()[0].get(_norm(name))


def by_url(url: str) -> Outlet | None:
    """The outlet whose domain the URL's host is, or is a subdomain of."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    domains = _tables()[1]
    parts = host.split(".")
    for i in range(len(parts) - 1):
        if (hit := domains.get(".".join(parts[i:]))) is not None:
            return hit
    return None
