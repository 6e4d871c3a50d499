"""The corpus store and `presslens ingest`: idempotent, every layer queryable with SQL."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from presslens.cli import main
from presslens.corpus import TABLES, Store


def _ingest(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["ingest", *map(str, args)])
    return result.exit_code, result.stderr


def test_ingest_twice_adds_nothing_the_second_time(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    code, err = _ingest(seeds_dir, "--db", db)
    assert code == 0, err
    assert f"{db}: 5 added, 0 already stored, 0 failed" in err
    with Store(db) as store:
        first = store.counts()
    assert first["articles"] == 5 and all(first[t] > 0 for t in TABLES if t != "copies")
    code, err = _ingest(seeds_dir, "--db", db)
    assert code == 0 and "0 added, 5 already stored" in err
    with Store(db) as store:
        assert store.counts() == first


def test_partial_store_is_completed_by_running_again(seeds_dir: Path, tmp_path: Path) -> None:
    """What an interrupted ingest leaves (some whole articles) plus a re-run equals one run."""
    some = tmp_path / "some"
    some.mkdir()
    for page in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.copy(page, some / page.name)
    partial, whole = tmp_path / "partial.duckdb", tmp_path / "whole.duckdb"
    assert _ingest(some, "--db", partial)[0] == 0
    assert _ingest(seeds_dir, "--db", partial)[0] == 0
    assert _ingest(seeds_dir, "--db", whole)[0] == 0
    query = "SELECT id, title, outlet, body FROM articles ORDER BY id"
    with Store(partial) as a, Store(whole) as b:
        assert a.counts() == b.counts()
        assert a.db.execute(query).fetchall() == b.db.execute(query).fetchall()


def test_outlets_and_their_words_for_israel(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    assert _ingest(seeds_dir, "--db", db)[0] == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT a.outlet, d.term, d.class, count(*) FROM designations d "
        "JOIN articles a ON a.id = d.article_id WHERE d.refers_to = 'Israel' GROUP BY ALL"
    ).fetchall()
    con.close()
    by_outlet = {(outlet, term): (cls, n) for outlet, term, cls, n in rows}
    assert by_outlet[("Islam Times", "Zionist regime")] == ("pejorative", 3)
    embassy = "Cultural Council of the Embassy of the Islamic Republic of Iran"
    assert by_outlet[(embassy, "Tel Aviv regime")] == ("pejorative", 1)


def test_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database", encoding="utf-8")
    code, err = _ingest(tmp_path / "missing.txt", "--db", bad)
    assert code == 2 and "bad.duckdb" in err and "Traceback" not in err


def _pages(seeds_dir: Path, folder: Path, n: int) -> Path:
    """``n`` distinct pages of one site: two seed paragraphs each, in shared chrome (a
    breadcrumb, a weather line, a comment form) that only repeat counts can tell apart."""
    folder.mkdir()
    paragraphs = [
        line
        for page in sorted(seeds_dir.glob("*.txt"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if len(line) > 120
    ]
    assert len(paragraphs) >= 2 * n
    for i in range(n):
        body = "\n\n".join(paragraphs[i::n][:2])
        text = (
            f"Home » World » Middle East\nTehran 21°C Clear\nReport number {i + 1}\n\n"
            f"{body}\n\nLEAVE A REPLY\nYour email address will not be published.\n"
        )
        (folder / f"page{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the ingest wall-clock time."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for table in TABLES:
        cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall() if c[0] != "ingested_at"]
        rows = con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    con.close()
    return out


def test_ingest_killed_midway_then_rerun_equals_one_run(seeds_dir: Path, tmp_path: Path) -> None:
    """SIGKILL (no chance to clean up) in the middle of an ingest, then the same command
    again: the store ends exactly as after one uninterrupted run."""
    pages = _pages(seeds_dir, tmp_path / "pages", 20)
    killed, whole = tmp_path / "killed.duckdb", tmp_path / "whole.duckdb"
    Store(killed).close()  # an empty store, checkpointed: the WAL grows only with articles
    command = [sys.executable, "-m", "presslens", "ingest", str(pages), "--batch-size", "4", "-q"]
    proc = subprocess.Popen([*command, "--db", str(killed)])
    wal = Path(f"{killed}.wal")
    deadline = time.monotonic() + 120
    while not (wal.exists() and wal.stat().st_size > 20_000) and proc.poll() is None:
        assert time.monotonic() < deadline, "ingest stored nothing within 2 minutes"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store(killed, read_only=True) as store:
        stored = store.counts()["articles"]
    assert 0 < stored < 20, f"the kill was not mid-way: {stored} of 20 stored"
    assert subprocess.run([*command, "--db", str(killed)], check=False).returncode == 0
    assert subprocess.run([*command, "--db", str(whole)], check=False).returncode == 0
    assert _snapshot(killed) == _snapshot(whole)


@pytest.fixture(scope="module")
def seed_db(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "seeds.duckdb"
    code, err = _ingest(seeds_dir, "--db", db)
    assert code == 0, err
    return db


def _query(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(map(str, args)))
    return result.exit_code, result.stdout, result.stderr


def _seed_numbers(db: Path, ids: list[str]) -> list[str]:
    """Seed numbers (the file name's prefix) of article ids, for readable assertions."""
    with Store(db, read_only=True) as store:
        names = dict(store.db.execute("SELECT id, source FROM articles").fetchall())
    return sorted(Path(names[i]).name[:3] for i in ids)


def test_search_ranks_by_bm25_and_points_at_the_words(seed_db: Path) -> None:
    code, out, err = _query("search", "Haniyeh", "--db", seed_db, "--format", "json")
    assert code == 0, err
    hits = json.loads(out)
    assert _seed_numbers(seed_db, [h["id"] for h in hits]) == ["001", "002", "004"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    with Store(seed_db, read_only=True) as store:
        for h in hits:
            body = store.db.execute("SELECT body FROM articles WHERE id = ?", [h["id"]]).fetchone()
            m = h["match"]
            assert body[0][m["start"] : m["end"]] == m["text"] == "Haniyeh"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--actor", "Qassem Soleimani"], ["001", "003"]),
        (["--actor", "Soleimani"], ["001", "003"]),
        (["Zionist", "--label", "Tel Aviv regime"], ["004"]),
        (["--since", "2024-03-29", "--until", "2024-03-29"], ["001"]),
        (["Haniyeh", "--outlet", "islam times"], ["001"]),
        (["--technique", "No_Such_Technique"], []),
    ],
)
def test_search_filters(seed_db: Path, args: list[str], expected: list[str]) -> None:
    code, out, err = _query("search", *args, "--db", seed_db, "--format", "jsonl")
    assert code == 0, err
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert _seed_numbers(seed_db, ids) == expected


def test_search_survives_concurrent_queries(seed_db: Path) -> None:
    """The web app runs each request on its own cursor of one connection, several at once.
    DuckDB 1.5.5 races on `count(*) OVER ()` there and invalidates the whole database; the
    page query must not use it (4 threads x 60 searches failed every time with it)."""
    import threading

    from presslens.corpus.search import Filters, facets, search

    errors: list[str] = []
    with Store(seed_db, read_only=True) as store:

        def work() -> None:
            cur = store.db.cursor()
            try:
                for _ in range(60):
                    total, hits = search(cur, "", Filters(actor="Qassem Soleimani"))
                    assert total == len(hits) == 2
                    assert search(cur, "Haniyeh")[0] == 3
                    facets(cur, "iran", Filters(actor="Soleimani"))
            except Exception as exc:  # collected: a thread's exception would be lost
                errors.append(repr(exc)[:200])
            finally:
                cur.close()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_writes_every_table(seed_db: Path, tmp_path: Path, fmt: str) -> None:
    code, _, err = _query("export", "--db", seed_db, "--format", fmt, "--out", tmp_path)
    assert code == 0, err
    with Store(seed_db, read_only=True) as store:
        counts = store.counts()
    con = duckdb.connect()
    for table, n in counts.items():
        path = tmp_path / f"{table}.{fmt}"
        if fmt == "jsonl":
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            assert len(rows) == n and all(isinstance(r, dict) for r in rows)
        else:
            reader = "read_parquet" if fmt == "parquet" else "read_csv"
            assert con.execute(f"SELECT count(*) FROM {reader}('{path}')").fetchone()[0] == n
    assert not list(tmp_path.glob(".*partial"))


def test_labels_side_by_side_with_spans(seed_db: Path) -> None:
    code, out, err = _query("labels", "--for", "Israel", "--db", seed_db, "--format", "json")
    assert code == 0, err
    rows = {(r["outlet"], r["term"]): r for r in json.loads(out)}
    assert rows[("Islam Times", "Zionist regime")]["count"] == 3
    with Store(seed_db, read_only=True) as store:
        for row in rows.values():
            assert len(row["spans"]) == row["count"]
            for s in row["spans"]:
                sql = "SELECT substr(body, ? + 1, ?) FROM articles WHERE id = ?"
                text = store.db.execute(sql, [s["start"], s["end"] - s["start"], s["article"]])
                assert text.fetchone()[0] == s["text"]


def test_trends_count_per_period_and_keep_undated_apart(seed_db: Path) -> None:
    code, out, err = _query("trends", "speakers", "--db", seed_db, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    dated = [r for r in rows if r["period"]]
    assert {r["period"] for r in dated} == {"2024-03-25"}  # the week of 2024-03-29
    assert any(r["period"] is None for r in rows)
    baqeri = sum(r["count"] for r in rows if r["item"] == "Mohammad Hossein Baqeri")
    assert baqeri >= 2


def test_queries_on_a_missing_store_are_usage_errors(tmp_path: Path) -> None:
    for command in (["search", "x"], ["trends", "actors"], ["labels"]):
        code, _, err = _query(*command, "--db", tmp_path / "none.duckdb")
        assert code == 2 and "none.duckdb" in err and "Traceback" not in err


def test_seeds_stories_and_one_narrative_across_outlets(seed_db: Path) -> None:
    code, out, err = _query("stories", "--db", seed_db, "--format", "json")
    assert code == 0, err
    found = json.loads(out)
    assert sum(s["size"] for s in found) == 5
    code, out, err = _query("narratives", "--db", seed_db, "--format", "json")
    assert code == 0, err
    (narrative,) = json.loads(out)
    assert narrative["articles"] == 5 and narrative["stories"] == len(found)
    frames = json.loads(narrative["frames"])
    israel = frames["Israel as pejorative"]["terms"]
    assert {"Zionist regime", "Israeli regime", "Tel Aviv regime"} <= israel.keys()
    code, out, err = _query("stories", found[0]["story"], "--db", seed_db, "--format", "json")
    assert code == 0 and sum(r["articles"] for r in json.loads(out)) == found[0]["size"]


def test_syndicated_copy_is_linked_to_its_earlier_origin(seeds_dir: Path, tmp_path: Path) -> None:
    """A trimmed, re-titled re-post dated later is a copy of the original, with its edits."""
    original = json.dumps(
        {
            "url": "https://wire.example/a",
            "date": "2024-03-29",
            "title": "Original title",
            "text": (seeds_dir / "000_dbe2c86115df3ad9.txt").read_text(encoding="utf-8"),
        }
    )
    paragraphs = json.loads(original)["text"].split("\n\n")
    copy = json.dumps(
        {
            "url": "https://reposter.example/b",
            "date": "2024-03-30",
            "title": "New title here",
            "text": "\n\n".join(paragraphs[: len(paragraphs) * 2 // 3]),
        }
    )
    pages = tmp_path / "pages.jsonl"
    pages.write_text(f"{copy}\n{original}\n", encoding="utf-8")  # the copy arrives first
    db = tmp_path / "c.duckdb"
    assert _ingest(pages, "--db", db)[0] == 0
    code, out, err = _query("copies", "--db", db, "--format", "json")
    assert code == 0, err
    (link,) = json.loads(out)
    assert link["origin_published"] == "2024-03-29" and link["copy_published"] == "2024-03-30"
    edits = json.loads(link["edits"])
    assert edits["retitled"] and edits["trimmed"]


def test_add_many_numbers_new_articles_once(seed_articles, tmp_path: Path) -> None:
    """One transaction per batch: repeats inside the batch and stored articles are left out,
    and articles are numbered in the order given."""
    articles = [seed_articles[name] for name in sorted(seed_articles)]
    with Store(tmp_path / "s.duckdb") as store:
        first = articles[:2]
        assert store.add_many([*first, first[0]]) == 2
        assert store.add_many(articles) == len(articles) - 2
        rows = store.db.execute("SELECT id, seq FROM articles ORDER BY seq").fetchall()
    assert [r[1] for r in rows] == list(range(1, len(articles) + 1))
    assert [r[0] for r in rows[:2]] == [a.id for a in first]
