"""Readers: each input kind's happy path, sniffing, decoding, directory order, stdin."""

from __future__ import annotations

import gzip
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from presslens.model import RawPage, ReadError
from presslens.read import parse_timestamp, read_inputs
from presslens.read.decode import decode
from presslens.read.sniff import binary_kind, sniff_kind

ARTICLE = (
    "Ministers Agree on New Water Plan\n\n"
    "The ministers of three neighbouring countries agreed on Tuesday to share the waters "
    "of the river that runs along their borders, ending a dispute that lasted a decade.\n\n"
    "The agreement, signed in the capital after two days of talks, sets quotas for each "
    "country and creates a joint commission to settle future disagreements.\n\n"
    "“This is a day many thought would never come,” the foreign minister told reporters "
    "after the signing ceremony, adding that parliaments would vote on it next month.\n\n"
    "Farmers' unions in all three countries welcomed the deal but warned that the quotas "
    "would have to be revised if the drought of the last two summers returned.\n"
)


def html_page(title: str = "Ministers Agree on New Water Plan", charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in ARTICLE.split("\n\n")[1:])
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{title}</title>'
        f"</head>\n<body><article><h1>{title}</h1>\n{paragraphs}</article></body></html>\n"
    )


def warc_record(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: str = "200 OK",
    date: str = "2024-03-01T12:30:00Z",
    rec_type: str = "response",
) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        rec_type,
        payload=io.BytesIO(body),
        http_headers=http if rec_type == "response" else None,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def write_warc(path: Path, pages: int = 2, *, compress: bool = False) -> bytes:
    """A WARC with ``pages`` HTML responses plus records that are not pages."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=compress)
    for i in range(pages):
        warc_record(writer, f"https://news.example/{i}", html_page(f"Story {i}").encode())
        warc_record(writer, "https://news.example/logo.png", b"\x89PNG\r\n", "image/png")
    data = buf.getvalue()
    path.write_bytes(data)
    return data


def read(*paths: Path | str, **kwargs: object) -> list[RawPage | ReadError]:
    return list(read_inputs([str(p) for p in paths], **kwargs))  # type: ignore[arg-type]


def only_page(items: list[RawPage | ReadError]) -> RawPage:
    assert len(items) == 1, items
    assert isinstance(items[0], RawPage), items[0]
    return items[0]


# -- text and HTML files ---------------------------------------------------------------


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    page = only_page(read(path))
    assert (page.is_html, page.encoding, page.text) == (False, "utf-8", ARTICLE)
    assert (page.source.kind, page.source.path) == ("text", str(path))


def test_html_file(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(html_page(), encoding="utf-8")
    page = only_page(read(path))
    assert page.is_html and page.source.kind == "html"
    assert page.text == html_page()


def test_txt_holding_html_is_html_and_html_holding_text_is_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(html_page(), encoding="utf-8")
    (tmp_path / "b.html").write_text(ARTICLE, encoding="utf-8")
    a, b = read(tmp_path / "a.txt", tmp_path / "b.html")
    assert isinstance(a, RawPage) and a.is_html
    assert isinstance(b, RawPage) and not b.is_html


def test_charset_from_meta(tmp_path: Path) -> None:
    text = html_page("Президент заявил о переговорах", charset="windows-1251")
    path = tmp_path / "ru.html"
    path.write_bytes(text.encode("cp1251"))
    page = only_page(read(path))
    assert page.encoding == "cp1251"
    assert "Президент заявил" in page.text
    assert "read_warning" not in page.hints


def test_meta_mislabelling_utf8_as_latin1_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_bytes(html_page("Iran’s “strategic” coalition", charset="iso-8859-1").encode())
    page = only_page(read(path))
    assert page.encoding == "utf-8" and "Iran’s “strategic”" in page.text
    assert "UTF-8" in page.hints["read_warning"]


def test_undeclared_legacy_encoding_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    path.write_bytes(("Le café était très agréable, à côté de la gare.\n" * 5).encode("cp1252"))
    page = only_page(read(path))
    assert page.encoding == "cp1252" and "café était" in page.text
    assert "detected cp1252" in page.hints["read_warning"]


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes(ARTICLE.encode("utf-16"))
    page = only_page(read(path))
    assert page.text == ARTICLE and page.encoding == "utf-16"


def test_gzip_text_file(tmp_path: Path) -> None:
    path = tmp_path / "story.txt.gz"
    path.write_bytes(gzip.compress(ARTICLE.encode()))
    assert only_page(read(path)).text == ARTICLE


def test_crawled_at_applies_to_plain_files(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    when = datetime(2024, 5, 1, tzinfo=UTC)
    assert only_page(read(path, crawled_at=when)).source.crawled_at == when


def test_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (error,) = read(path, max_bytes=100)
    assert isinstance(error, ReadError)
    size = len(ARTICLE.encode())
    assert error.reason == f"page too large: {size} bytes > 100 bytes limit (--max-bytes)"


# -- WARC ------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_warc_responses_become_pages(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    write_warc(path, pages=2, compress=compress)
    pages = read(path)
    assert [type(p) for p in pages] == [RawPage, RawPage]
    first = pages[0]
    assert isinstance(first, RawPage) and first.is_html
    assert first.source.kind == "warc" and first.source.path == str(path)
    assert first.source.url == "https://news.example/0"
    assert first.source.crawled_at == datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    assert first.source.warc_record_id and first.source.warc_record_id.startswith("urn:uuid:")
    assert "Story 0" in first.text
    assert first.hints["http_content_type"] == "text/html; charset=utf-8"


def test_warc_uses_http_charset_and_skips_non_pages(tmp_path: Path) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    body = "<html><body><p>Президент заявил о переговорах.</p></body></html>"
    warc_record(writer, "https://ru.example/a", body.encode("cp1251"), "text/html; charset=cp1251")
    warc_record(writer, "https://ru.example/gone", b"<html>moved</html>", status="301 Moved")
    warc_record(writer, "https://ru.example/a", b"GET /a HTTP/1.1\r\n\r\n", rec_type="request")
    warc_record(writer, "https://ru.example/s.js", b"var x = 1;", "application/javascript")
    path = tmp_path / "ru.warc"
    path.write_bytes(buf.getvalue())
    page = only_page(read(path))
    assert page.encoding == "cp1251" and "Президент заявил" in page.text


def test_warc_without_pages_is_an_error(tmp_path: Path) -> None:
    buf = io.BytesIO()
    warc_record(WARCWriter(buf, gzip=False), "https://x.example/i.png", b"\x89PNG", "image/png")
    path = tmp_path / "img.warc"
    path.write_bytes(buf.getvalue())
    (error,) = read(path)
    assert isinstance(error, ReadError) and "no HTML or text pages" in error.reason


def test_warc_crawl_time_wins_over_default(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    write_warc(path, pages=1)
    page = only_page(read(path, crawled_at=datetime(2020, 1, 1, tzinfo=UTC)))
    assert page.source.crawled_at == datetime(2024, 3, 1, 12, 30, tzinfo=UTC)


# -- JSON Lines ------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_jsonl_fields(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(
        jsonl(
            {
                "text": ARTICLE,
                "url": "https://news.example/a",
                "title": "Ministers Agree",
                "date": "2024-03-29",
                "crawled_at": "2024-04-02T08:00:00+02:00",
                "extra": [1, 2],
            },
            "",
            {"html": html_page()},
        ),
        encoding="utf-8",
    )
    default = datetime(2024, 5, 1, tzinfo=UTC)
    a, b = read(path, crawled_at=default)
    assert isinstance(a, RawPage) and isinstance(b, RawPage)
    assert (a.text, a.is_html, a.source.url, a.source.line) == (
        ARTICLE,
        False,
        "https://news.example/a",
        1,
    )
    assert a.hints == {"title": "Ministers Agree", "date": "2024-03-29"}
    assert a.source.crawled_at == datetime.fromisoformat("2024-04-02T08:00:00+02:00")
    assert a.source.label == f"{path}:1"
    assert b.is_html and b.source.line == 3 and b.source.crawled_at == default


def test_jsonl_prefers_html_over_text(tmp_path: Path) -> None:
    path = tmp_path / "p.ndjson"
    path.write_text(jsonl({"text": "extracted", "html": html_page()}), encoding="utf-8")
    assert only_page(read(path)).is_html


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{broken", "invalid JSON"),
        ("[1, 2]", "expected a JSON object, got an array"),
        ('{"url": "https://x"}', 'record has no "text" or "html" field'),
        ('{"text": 3}', '"text" must be a string, got a number'),
        ('{"text": "x", "crawled_at": "yesterday"}', 'bad "crawled_at"'),
        ("[" * 100_000, "invalid JSON"),
    ],
)
def test_jsonl_bad_lines_name_file_and_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(jsonl({"text": ARTICLE}, line, {"text": ARTICLE}), encoding="utf-8")
    first, error, last = read(path)
    assert isinstance(first, RawPage) and isinstance(last, RawPage)
    assert isinstance(error, ReadError) and error.reason.startswith(reason)
    assert str(error).startswith(f"{path}:2: ")


def test_jsonl_sniffed_from_content_and_gzip(tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(jsonl({"text": ARTICLE}), encoding="utf-8")
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(jsonl({"text": ARTICLE}).encode()))
    a, b = read(tmp_path / "dump.txt", tmp_path / "dump.jsonl.gz")
    assert isinstance(a, RawPage) and a.source.kind == "jsonl"
    assert isinstance(b, RawPage) and b.source.kind == "jsonl" and b.text == ARTICLE


def test_jsonl_lone_surrogates_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "broken \\ud800 pair, good \\ud83d\\ude00"}\n', encoding="utf-8")
    page = only_page(read(path))
    assert page.text == "broken \ufffd pair, good 😀"
    page.text.encode("utf-8")


# -- directories, stdin, paths ---------------------------------------------------------


def test_directory_recursion_order(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.txt", "a/b/c.html", "c.jsonl", ".hidden.txt", ".git/x.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        text = jsonl({"text": ARTICLE}) if name.endswith(".jsonl") else ARTICLE
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "gold.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# notes", encoding="utf-8")
    paths = [p.source.path for p in read(tmp_path)]
    assert paths == [str(tmp_path / n) for n in ["a/b/c.html", "a/z.txt", "b.txt", "c.jsonl"]]


def test_explicit_file_with_any_extension_is_read(tmp_path: Path) -> None:
    path = tmp_path / "story.dat"
    path.write_text(ARTICLE, encoding="utf-8")
    assert only_page(read(path)).text == ARTICLE


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    (error,) = read(tmp_path)
    assert isinstance(error, ReadError) and "no input files" in error.reason


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_bytes(monkeypatch, ARTICLE.encode())
    page = only_page(read("-"))
    assert (page.source.kind, page.source.path, page.is_html) == ("stdin", "-", False)
    assert page.text == ARTICLE


def test_stdin_html_and_warc_are_sniffed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stdin_bytes(monkeypatch, html_page().encode())
    assert only_page(read("-")).is_html
    data = write_warc(tmp_path / "x.warc", pages=1, compress=True)
    stdin_bytes(monkeypatch, data)
    page = only_page(read("-"))
    assert page.source.kind == "warc" and page.source.path == "-"


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_bytes(monkeypatch, jsonl({"text": ARTICLE}, {"text": ARTICLE}).encode())
    assert [p.source.label for p in read("-")] == ["-:1", "-:2"]


# -- units -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.txt", b"Plain text\n", "text"),
        ("a.txt", b"  <!DOCTYPE html><html>", "html"),
        ("a.txt", b"<p>one</p><p>two</p>", "html"),
        ("a.txt", b"<3 text starting with a heart", "text"),
        ("a.html", b"<span>fragment", "html"),
        ("a.html", b"no markup at all", "text"),
        ("a.bin", b"WARC/1.0\r\n", "warc"),
        ("a.arc", b"anything", "warc"),
        ("a.jsonl", b"not json", "jsonl"),
        (None, b'{"text": "x"}\n', "jsonl"),
        (None, b'{"other": "x"}\n', "text"),
    ],
)
def test_sniff_kind(name: str | None, head: bytes, kind: str) -> None:
    assert sniff_kind(name, head) == kind


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "PDF document"),
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"text\x00with nul", "binary data"),
        (bytes(range(1, 32)) * 10, "binary data"),
        (b"plain text\twith tab\r\n", None),
        ("\ufefftext".encode("utf-16"), None),
    ],
)
def test_binary_kind(head: bytes, kind: str | None) -> None:
    assert binary_kind(head) == kind


def test_decode_mostly_utf8_keeps_utf8() -> None:
    data = ("Iran’s “strategic” coalition. " * 20).encode() + b"\xff\xfe" + b" tail"
    decoded = decode(data)
    assert decoded.encoding == "utf-8" and "Iran’s" in decoded.text and "\ufffd" in decoded.text
    assert decoded.warning and "replaced" in decoded.warning


def test_parse_timestamp() -> None:
    assert parse_timestamp("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_timestamp("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_timestamp("yesterday")
