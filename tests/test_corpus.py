"""The corpus store and `presslens ingest`: idempotent, every layer queryable with SQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
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
    assert first["articles"] == 5 and all(first[t] > 0 for t in TABLES)
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
