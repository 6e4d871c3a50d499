"""The ``presslens analyze`` command: formats, -o, stderr report, exit codes."""

from __future__ import annotations

import importlib
import json
import re
import sys
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import html as lxml_html
from test_read import ARTICLE, html_page

from presslens.cli import main
from presslens.model import Article, RawPage, ReadError


def _stand_in_analyze(
    items: Iterable[RawPage | ReadError], **_options: object
) -> Iterator[Article | ReadError]:
    """The pipeline's contract in miniature: errors pass through, an empty body is an error."""
    for item in items:
        if isinstance(item, ReadError):
            yield item
            continue
        body = item.text
        if item.is_html:
            nodes = lxml_html.document_fromstring(item.text).xpath("//body")
            body = nodes[0].text_content() if nodes else ""
        if not body.strip():
            yield ReadError(item.source, "no article text found", stage="clean")
            continue
        article = Article(item.source, item.text, body=body.strip())
        article.title.value = body.strip().splitlines()[0]
        yield article


@pytest.fixture(autouse=True)
def pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real pipeline once it imports; until then a stand-in with the same contract."""
    try:
        importlib.import_module("presslens.pipeline")
    except ImportError:
        use_pipeline(monkeypatch, _stand_in_analyze)


def use_pipeline(monkeypatch: pytest.MonkeyPatch, analyze: object) -> None:
    module = types.ModuleType("presslens.pipeline")
    module.analyze = analyze  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "presslens.pipeline", module)


def run(*args: str | Path, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["analyze", *map(str, args)], input=stdin)


def records(result: Result, fmt: str = "jsonl") -> list[dict]:
    if fmt == "json":
        return json.loads(result.stdout)
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def two_pages(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.html"
    a.write_text(ARTICLE, encoding="utf-8")
    b.write_text(html_page(), encoding="utf-8")
    return [a, b]


def test_json_is_one_pretty_array(two_pages: list[Path]) -> None:
    result = run(*two_pages, "--format", "json")
    assert result.exit_code == 0, result.output
    out = records(result, "json")
    assert [r["source"]["path"] for r in out] == [str(p) for p in two_pages]
    assert result.stdout.startswith("[\n  {")
    assert {"id", "title", "published", "body", "removed"} <= set(out[0])


def test_jsonl_one_record_per_line(two_pages: list[Path]) -> None:
    result = run(*two_pages, "--format", "jsonl")
    assert result.exit_code == 0
    assert [r["source"]["kind"] for r in records(result)] == ["text", "html"]


def test_markdown_report(two_pages: list[Path]) -> None:
    result = run(two_pages[0], "--format", "md")
    assert result.exit_code == 0
    assert re.search(r"^## .+", result.stdout, re.MULTILINE)
    for label in ("**Outlet:**", "**Byline:**", "**Agency:**", "**Published:**", "### Body"):
        assert label in result.stdout
    assert "neighbouring countries" in result.stdout


def test_empty_json_array_when_nothing_read(tmp_path: Path) -> None:
    result = run(tmp_path / "missing.txt", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []


def test_output_file_is_written_atomically(two_pages: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out" / "seeds.jsonl"
    result = run(*two_pages, "--format", "jsonl", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert sorted(p.name for p in out.parent.iterdir()) == ["seeds.jsonl"]  # no temp left
    # The closing summary lists the articles when the records go to a file.
    assert "2 articles read, 0 skipped" in result.stderr
    assert "title" in result.stderr and "published" in result.stderr


def test_crash_leaves_existing_output_untouched(
    two_pages: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crashing(items: Iterable[RawPage | ReadError], **_options: object) -> Iterator[Article]:
        for item in items:
            assert isinstance(item, RawPage)
            yield Article(item.source, item.text, body=item.text)
            raise RuntimeError("bug")

    use_pipeline(monkeypatch, crashing)
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    result = run(*two_pages, "--format", "jsonl", "-o", out)
    assert isinstance(result.exception, RuntimeError)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_interrupt_keeps_what_was_written(
    two_pages: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def interrupted(items: Iterable[RawPage | ReadError], **_options: object) -> Iterator[Article]:
        for item in items:
            assert isinstance(item, RawPage)
            yield Article(item.source, item.text, body=item.text)
            raise KeyboardInterrupt

    use_pipeline(monkeypatch, interrupted)
    out = tmp_path / f"out.{fmt}"
    result = run(*two_pages, "--format", fmt, "-o", out)
    assert result.exit_code == 130
    text = out.read_text(encoding="utf-8")
    kept = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    assert [r["source"]["path"] for r in kept] == [str(two_pages[0])]
    assert "interrupted: 1 article written to" in result.stderr


def test_crawled_at_reaches_the_record(two_pages: list[Path]) -> None:
    result = run(two_pages[0], "--format", "jsonl", "--crawled-at", "2024-05-01T09:00")
    assert records(result)[0]["source"]["crawled_at"] == "2024-05-01T09:00:00+00:00"


def test_stdin(tmp_path: Path) -> None:
    result = run("-", "--format", "jsonl", stdin=ARTICLE.encode())
    assert result.exit_code == 0
    assert records(result)[0]["source"] == {"kind": "stdin", "path": "-"}


def test_failed_input_gives_one_line_and_exit_1(two_pages: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = run(two_pages[0], missing, two_pages[1], "--format", "jsonl")
    assert result.exit_code == 1
    assert len(records(result)) == 2
    assert f"skipped {missing}: no such file or directory\n" in result.stderr
    assert "2 articles read, 1 skipped" in result.stderr
    assert "no such file or directory" in result.stderr.split("skipped", 2)[-1]  # reasons table


def test_decoding_warning_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad-bytes.txt"
    path.write_bytes(ARTICLE.encode() + b"\xff\xfe trailing bytes\n")
    result = run(path, "--format", "jsonl")
    assert result.exit_code == 0
    assert f"warning {path}: invalid UTF-8: 2 undecodable byte sequences replaced" in result.stderr


def test_quiet_keeps_errors_only(two_pages: list[Path], tmp_path: Path) -> None:
    result = run(*two_pages, tmp_path / "missing.txt", "--quiet", "-o", tmp_path / "o.json")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"skipped {tmp_path / 'missing.txt'}: no such file or directory"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "xml", "x.txt"],
        [],
        ["--crawled-at", "last week", "x.txt"],
        ["--max-bytes", "0", "x.txt"],
        ["--no-such-option", "x.txt"],
    ],
    ids=["bad-format", "no-paths", "bad-crawled-at", "bad-max-bytes", "unknown-option"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


@pytest.mark.parametrize("variable", ["PRESSLENS_ATTRIBUTION_MODEL", "PRESSLENS_TECHNIQUES_MODEL"])
def test_unknown_model_choice_is_a_usage_error(
    variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong model choice stops the run before the first page, naming the variable, rather
    than failing every article's language stage."""
    page = tmp_path / "a.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv(variable, "bert")
    result = run(str(page))
    assert result.exit_code == 2
    assert variable in result.stderr and "Traceback" not in result.stderr


def test_seeds_demo(seeds_dir: Path, tmp_path: Path) -> None:
    """What ``make demo`` runs: the five seeds, gold.json ignored, a readable summary."""
    out = tmp_path / "seeds.jsonl"
    result = run(seeds_dir, "--format", "jsonl", "-o", out)
    assert result.exit_code == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert "5 articles read, 0 skipped" in result.stderr


def test_long_jobs_log_progress_lines_off_a_terminal(monkeypatch, capsys) -> None:
    """Off a terminal (CI logs, nohup) a long ingest still says how far it got."""
    from presslens.cli import report as report_module

    monkeypatch.setattr(report_module, "LOG_EVERY", 0.0)
    done = {"n": 0}
    report = report_module.Report(False, lambda: f"{done['n']} added")
    for _ in range(3):
        done["n"] += 1
        report.advance()
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["progress: 1 added", "progress: 2 added", "progress: 3 added"]
    assert report.rate(10).endswith("/s")
