"""Reuters-21578 read straight from the shared tar.gz: the 19,043 stories that have a body.

Shared by the corpus benchmarks (ingest, search, syndication). Paragraphs are rebuilt from
the wire's fixed-width lines (an indented line opens a new one); the closing "Reuter"
sign-off and control characters are dropped.
"""

from __future__ import annotations

import datetime
import html
import re
import sys
import tarfile
from pathlib import Path
from typing import Any

SET = Path("clustering") / "reuters21578" / "reuters21578_sgm.tar.gz"
RECORD = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
FIELD = {k: re.compile(rf"<{k}>(.*?)</{k}>", re.S) for k in ("BODY", "TITLE", "DATE")}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
SIGNOFF = re.compile(r"\s*\breuter\s*$", re.I)


def load(data: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Stories in NEWID order: id, n, title, date, paras. Exits with a message when the set
    is missing."""
    path = data / SET
    if not path.is_file():
        sys.exit(f"Reuters-21578 not found at {path} (pass --data DIR)")
    docs = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".sgm"):
                continue
            fh = tar.extractfile(member)
            assert fh is not None
            text = fh.read().decode("latin-1")
            for newid, rec in RECORD.findall(text):
                body = FIELD["BODY"].search(rec)
                title = FIELD["TITLE"].search(rec)
                date = FIELD["DATE"].search(rec)
                if not (body and title and date):
                    continue
                docs.append(
                    {
                        "id": f"r{newid}",
                        "n": int(newid),
                        "title": html.unescape(title.group(1)).strip(),
                        "date": datetime.datetime.strptime(
                            date.group(1).split()[0], "%d-%b-%Y"
                        ).date(),
                        "paras": paragraphs(body.group(1)),
                    }
                )
    docs.sort(key=lambda d: d["n"])
    return docs[:limit] if limit else docs


def paragraphs(raw: str) -> list[str]:
    """Reuters lines joined into paragraphs: an indented line opens a new one."""
    text = SIGNOFF.sub("", CONTROL.sub("", html.unescape(raw)))
    paras: list[list[str]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if not paras or line[:1].isspace():
            paras.append([])
        paras[-1].append(line.strip())
    return [" ".join(p) for p in paras if p]
