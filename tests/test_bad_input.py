"""Fault injection: each kind of bad input in a batch between two good pages.

For every case the real CLI must print one line naming the bad file and the reason,
go on with the batch, keep every article read before and after it, and exit 1.
Fixtures are made in tmp_path at test time.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import pipeline, run  # noqa: F401 - `pipeline` is an autouse fixture
from test_read import ARTICLE, html_page, warc_record
from warcio.warcwriter import WARCWriter

import presslens.read
from presslens.model import RawPage, ReadError
from presslens.read import read_inputs
from presslens.read.jsonl import read_jsonl
from presslens.read.sniff import binary_kind, looks_html, looks_jsonl, sniff_kind

# A bad input: (file in tmp_path, expected "skipped ..." label, reason, pages it still holds)
Case = tuple[Path, str, str, int]


def _noise(n: int, low: int = 0) -> bytes:
    rng = random.Random(0)
    return bytes(rng.randrange(low, 256) for _ in range(n))


def empty_file(tmp: Path) -> Case:
    path = tmp / "empty.txt"
    path.write_bytes(b"")
    return path, str(path), "empty file", 0


def png_named_txt(tmp: Path) -> Case:
    path = tmp / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _noise(2000))
    return path, str(path), "binary file (PNG image), not text", 0


def pdf_file(tmp: Path) -> Case:
    path = tmp / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + _noise(2000))
    return path, str(path), "binary file (PDF document), not text", 0


def nul_bytes(tmp: Path) -> Case:
    path = tmp / "page.html"
    path.write_bytes(b"<html>" + b"\x00" * 100 + _noise(500))
    return path, str(path), "binary file (binary data), not text", 0


def gzip_garbage(tmp: Path) -> Case:
    path = tmp / "pages.jsonl.gz"
    path.write_bytes(b"\x1f\x8b" + _noise(3000))
    return path, str(path), "binary file (corrupt gzip data), not text", 0


def invalid_utf8(tmp: Path) -> Case:
    path = tmp / "garbled.txt"
    path.write_bytes(_noise(3000, low=128))  # high bytes that form no text in any encoding
    return path, str(path), "not valid UTF-8 or any known encoding", 0


def page_50_mb(tmp: Path) -> Case:
    path = tmp / "huge.txt"
    line = b"A sentence of an enormous page, repeated until it is fifty megabytes long.\n"
    with path.open("wb") as f:
        for _ in range(50):
            f.write(line * (1024 * 1024 // len(line)))
        f.write(b"x" * (50 * 1024 * 1024 - f.tell()))
    return path, str(path), "page too large: 52.4 MB > 20 MB limit (--max-bytes)", 0


def html_without_body(tmp: Path) -> Case:
    path = tmp / "shell.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Loading…</title>"
        "<script>window.app = {};</script></head><body></body></html>",
        encoding="utf-8",
    )
    return path, str(path), "no article text found", 0


def _two_page_warc() -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for i in range(2):
        warc_record(writer, f"https://news.example/{i}", html_page(f"Story {i}").encode())
    return buf.getvalue()


def truncated_warc(tmp: Path) -> Case:
    path = tmp / "crawl.warc"
    path.write_bytes(_two_page_warc()[:-300])  # cut inside the second record's payload
    return path, str(path), "truncated WARC after 1 record", 1


def truncated_warc_gz(tmp: Path) -> Case:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for i in range(2):
        warc_record(writer, f"https://news.example/{i}", html_page(f"Story {i}").encode())
    path = tmp / "crawl.warc.gz"
    path.write_bytes(buf.getvalue()[:-60])
    return path, str(path), "truncated WARC after 1 record", 1


def jsonl_broken_line(tmp: Path) -> Case:
    path = tmp / "pages.jsonl"
    good = json.dumps({"text": ARTICLE, "url": "https://news.example/a"})
    path.write_text(f'{good}\n{{"text": "unterminated\n{good}\n', encoding="utf-8")
    return path, f"{path}:2", "invalid JSON: Unterminated string", 2


def missing_path(tmp: Path) -> Case:
    path = tmp / "no-such-file.txt"
    return path, str(path), "no such file or directory", 0


CASES: list[Callable[[Path], Case]] = [
    empty_file,
    png_named_txt,
    pdf_file,
    nul_bytes,
    gzip_garbage,
    invalid_utf8,
    page_50_mb,
    html_without_body,
    truncated_warc,
    truncated_warc_gz,
    jsonl_broken_line,
    missing_path,
]


@pytest.fixture
def good_pages(tmp_path: Path) -> tuple[Path, Path]:
    before, after = tmp_path / "before.txt", tmp_path / "after.html"
    before.write_text(ARTICLE, encoding="utf-8")
    after.write_text(html_page(), encoding="utf-8")
    return before, after


def check_batch(tmp_path: Path, good: tuple[Path, Path], case: Case) -> None:
    bad, label, reason, pages_in_bad = case
    out = tmp_path / "out" / "articles.jsonl"
    result = run(good[0], bad, good[1], "--format", "jsonl", "-o", out)
    assert result.exit_code == 1, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 1, result.stderr
    assert skipped[0].startswith(f"skipped {label}: {reason}"), skipped[0]
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    paths = [r["source"]["path"] for r in written]
    assert paths == [str(good[0])] + [str(bad)] * pages_in_bad + [str(good[1])]
    assert f"{len(paths)} articles read, 1 skipped" in result.stderr


@pytest.mark.parametrize("make", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_is_skipped_and_the_batch_goes_on(
    tmp_path: Path, good_pages: tuple[Path, Path], make: Callable[[Path], Case]
) -> None:
    check_batch(tmp_path, good_pages, make(tmp_path))


def test_unreadable_file(
    tmp_path: Path, good_pages: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied (simulated: chmod does not stop root, who may run the tests)."""
    locked = tmp_path / "locked.txt"
    locked.write_text(ARTICLE, encoding="utf-8")
    real_open = open

    def guarded_open(path: str, *args: object, **kwargs: object) -> object:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(presslens.read, "open", guarded_open, raising=False)
    check_batch(tmp_path, good_pages, (locked, str(locked), "permission denied", 0))


def test_mostly_valid_utf8_is_read_with_a_warning(tmp_path: Path) -> None:
    """A few broken bytes in real text: decoded with replacement, not refused."""
    path = tmp_path / "spliced.txt"
    path.write_bytes(ARTICLE.encode() + b"\xc3\x28 and a broken sequence.\n")
    result = run(path, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["source"]["path"] == str(path)
    assert f"warning {path}: invalid UTF-8" in result.stderr


def test_failure_on_stdout_keeps_earlier_articles(
    tmp_path: Path, good_pages: tuple[Path, Path]
) -> None:
    bad, label, reason, _ = truncated_warc(tmp_path)
    result = run(good_pages[0], bad, "--format", "json")
    assert result.exit_code == 1
    assert [r["source"]["path"] for r in json.loads(result.stdout)] == [
        str(good_pages[0]),
        str(bad),
    ]
    assert f"skipped {label}: {reason}\n" in result.stderr


# -- never raise on arbitrary bytes ----------------------------------------------------

_PREFIXES = st.sampled_from([b"", b"WARC/1.0\r\n", b'{"text": "', b"<html>", b"\x1f\x8b\x08\x00"])
_NAMES = st.sampled_from(["x.txt", "x.html", "x.warc", "x.warc.gz", "x.jsonl", "x.jsonl.gz", "x"])


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), name=_NAMES)
def test_sniffing_never_raises(data: bytes, name: str) -> None:
    assert sniff_kind(name, data) in {"warc", "jsonl", "html", "text"}
    assert binary_kind(data) is None or isinstance(binary_kind(data), str)
    assert isinstance(looks_html(data), bool) and isinstance(looks_jsonl(data), bool)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.binary(max_size=300), max_size=6), max_bytes=st.integers(1, 400))
def test_jsonl_reader_never_raises(lines: list[bytes], max_bytes: int) -> None:
    stream = io.BufferedReader(io.BytesIO(b"\n".join(lines)))  # type: ignore[arg-type]
    items = list(read_jsonl(stream, "x.jsonl", crawled_at=None, max_bytes=max_bytes))
    assert all(isinstance(i, RawPage | ReadError) for i in items)
    assert all(len(str(i).splitlines()) == 1 for i in items if isinstance(i, ReadError))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, data=st.binary(max_size=3000), name=_NAMES, zipped=st.booleans())
def test_read_inputs_never_raises(
    tmp_path_factory: pytest.TempPathFactory, prefix: bytes, data: bytes, name: str, zipped: bool
) -> None:
    content = prefix + data
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(gzip.compress(content) if zipped else content)
    for item in read_inputs([str(path)], max_bytes=10_000):
        assert isinstance(item, RawPage | ReadError)
        if isinstance(item, ReadError):
            assert len(item.reason.splitlines()) == 1 and item.reason
