"""Scale-out (issue 7): the Ray and local engines give the embedded ingest's tables.

Inputs: the seed pages, a JSON Lines file of generated pages (varied short news texts, some
near copies of others, one broken line) and a folder of generated text files, analysed in
batches of 16 so that batches cross file boundaries and shards are many.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from presslens.cli import main
from presslens.corpus import Store
from presslens.corpus.parquet import load
from presslens.read import read_inputs
from presslens.scale import plan, run
from presslens.scale.schema import ARTICLE_TABLES


@given(
    st.lists(st.integers(0, 40), max_size=12),
    st.integers(1, 9),
    st.integers(1, 4),
)
def test_shards_cut_the_stream_into_whole_batches(counts, batch_size, per_shard):
    units = [plan.Unit(f"f{i}") for i in range(len(counts))]
    shards = plan.shards(units, counts, batch_size, per_shard)
    assert sum(s["count"] for s in shards) == sum(counts)
    pos = 0
    covered = {u.path: [] for u in units}
    for k, shard in enumerate(shards):
        assert shard["shard"] == k and shard["start"] == pos
        assert shard["start"] % batch_size == 0
        assert 0 < shard["count"] <= batch_size * per_shard
        assert sum(stop - first for _, _, first, stop in shard["parts"]) == shard["count"]
        for path, _, first, stop in shard["parts"]:
            covered[path].append((first, stop))
        pos += shard["count"]
    for unit, n in zip(units, counts, strict=True):
        ranges = covered[unit.path]  # every record once, in order
        assert [r[0] for r in ranges] == [0, *[r[1] for r in ranges[:-1]]][: len(ranges)]
        assert (ranges[-1][1] if ranges else 0) == n


def test_run_usage_errors(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["run", "-", "--out", str(tmp_path / "o")])
    assert done.exit_code == 2 and "stdin cannot be sharded" in done.output
    done = runner.invoke(main, ["run", "x", "--out", str(tmp_path), "--address", "ray://h:1"])
    assert done.exit_code == 2 and "--engine ray" in done.output
    args = ["ingest", "--from-parquet", str(tmp_path), "--db", str(tmp_path / "d")]
    done = runner.invoke(main, args)
    assert done.exit_code == 2 and "articles" in done.output


try:
    import ray
except ImportError:  # the Ray tests skip; CI installs the extra
    ray = None
needs_ray = pytest.mark.skipif(
    ray is None, reason='Ray is not installed: pip install "presslens[scale]" (ray[data]==2.60.0)'
)

BATCH = 16
PEOPLE = ["Maria Lopez", "John Carter", "Aisha Rahman", "Wei Zhang", "Olga Petrova", "Sam Okafor"]
ORGS = ["The city council", "The health ministry", "The port authority", "The central bank"]
PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Dakar", "Lima", "Hanoi"]
EVENTS = [
    "approved a new budget for schools and hospitals",
    "announced an inquiry into the collapse of a bridge",
    "raised interest rates for the third time this year",
    "closed two border crossings after protests",
    "opened talks with striking dock workers",
]
QUOTES = [
    "We will not accept these terms",
    "This decision protects families across the country",
    "The numbers speak for themselves",
    "Nobody was told about the plan in advance",
]
COUNTS = ["killed", "injured", "detained", "evacuated"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _page(rng: random.Random, n: int) -> dict:
    person, place, org = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(ORGS)
    event, quote = rng.choice(EVENTS), rng.choice(QUOTES)
    paras = [
        f"{place} — {org} {event} on {rng.choice(DAYS)}, officials said.",
        f'"{quote}," {person}, a spokesperson, told reporters in {place}.',
        f"At least {rng.randint(2, 900)} people were {rng.choice(COUNTS)} in {place} "
        f"last week, according to {org.lower()}.",
    ]
    if rng.random() < 0.5:
        paras.append(
            f"{person} said the measure would cost {rng.randint(5, 90)} million dollars "
            f"and take {rng.randint(2, 9)} years, item {n}."
        )
    paras.append("Subscribe to our newsletter for daily updates.")
    title = f"{org} {event.split(' ')[0]} in {place} ({n})"
    return {
        "url": f"https://news{n % 4}.example.com/story/{n}",
        "title": title,
        "date": f"2024-03-{1 + n % 28:02d}",
        "text": "\n\n".join([title, *paras]),
    }


GENERATED = 250  # JSON Lines pages made by the test, besides the seeds and a few text files


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, seeds_dir: Path) -> list[str]:
    rng = random.Random(7)
    folder = tmp_path_factory.mktemp("scale-inputs")
    lines = []
    for n in range(GENERATED):
        page = _page(rng, n)
        if n % 20 == 19:  # a near copy of an earlier page: retitled, one paragraph added
            old = json.loads(lines[n - 11])
            page["text"] = old["text"] + "\n\nThe report was updated with more details later."
            page["title"] = old["title"] + " (update)"
        lines.append(json.dumps(page))
    lines.insert(40, '{"url": "https://broken.example.com/x", "text": ')  # a bad record
    (folder / "gen.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "small.jsonl").write_text("\n".join(lines[:33]) + "\n", encoding="utf-8")
    texts = folder / "texts"
    texts.mkdir()
    for n in range(GENERATED, GENERATED + 6):
        page = _page(rng, n)
        (texts / f"{n}.txt").write_text(page["text"] + "\n", encoding="utf-8")
    (texts / "empty.txt").write_text("", encoding="utf-8")  # an input with nothing in it
    return [str(seeds_dir), str(folder / "gen.jsonl"), str(texts)]


@pytest.fixture(scope="module")
def ray_session():
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def ingested(inputs, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("scale-db") / "ingest.duckdb"
    done = CliRunner().invoke(
        main, ["ingest", *inputs, "--db", str(db), "--batch-size", str(BATCH), "-q"]
    )
    assert done.exit_code == 1, done.output  # 1: some inputs failed (the bad ones)
    return db


@pytest.fixture(scope="module")
def ray_out(inputs, ray_session, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("scale-ray")
    return out, run(inputs, out, engine="ray", workers=2, batch_size=BATCH)


@pytest.fixture(scope="module")
def local_out(inputs, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("scale-local")
    return out, run(inputs, out, engine="local", workers=2, batch_size=BATCH)


def _parquet(out: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    drop = " EXCLUDE (seq, ingested_at)" if table == "articles" else ""
    rows = con.execute(f"SELECT *{drop} FROM read_parquet('{out}/{table}/*.parquet')").fetchall()
    con.close()
    return sorted(rows, key=repr)


def _store(db: Path, table: str, con: duckdb.DuckDBPyConnection | None = None) -> list[tuple]:
    own = con is None
    con = con or duckdb.connect(str(db), read_only=True)
    drop = " EXCLUDE (seq, ingested_at)" if table == "articles" else ""
    rows = con.execute(f"SELECT *{drop} FROM {table}").fetchall()
    if own:
        con.close()
    return sorted(rows, key=repr)


def _order(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT id FROM {source} ORDER BY seq").fetchall()]


@needs_ray
def test_every_record_is_accounted_for(inputs, ray_out, local_out):
    items = sum(1 for _ in read_inputs(inputs))
    for _, manifest in (ray_out, local_out):
        assert manifest["items"] == items
        assert manifest["articles"] + manifest["duplicates"] + manifest["errors"] == items
        assert manifest["errors"] >= 2  # the broken JSON line and the empty file
        assert manifest["shards"] > 4
    out = ray_out[0]
    errors = duckdb.sql(f"SELECT reason, stage FROM read_parquet('{out}/errors/*.parquet')")
    reasons = [r[0] for r in errors.fetchall()]
    assert any("empty" in r for r in reasons), reasons


@needs_ray
def test_ray_equals_local_and_ingest(ray_out, local_out, ingested):
    for table in ARTICLE_TABLES:
        ray_rows, local_rows = _parquet(ray_out[0], table), _parquet(local_out[0], table)
        assert ray_rows == local_rows, table
        assert ray_rows == _store(ingested, table), table
    assert len(_parquet(ray_out[0], "quotes")) > 100  # the analysis did run
    con = duckdb.connect(str(ingested), read_only=True)
    stored = _order(con, "articles")
    con.close()
    scan = f"read_parquet('{ray_out[0]}/articles/*.parquet')"
    assert _order(duckdb.connect(), scan) == stored  # seq: the order ingest stores them in


@needs_ray
def test_copies_and_stories_match_embedded(ray_out, local_out, ingested):
    cols = "copy_id, origin_id, group_origin, kind, similarity, containment, edits::VARCHAR"
    con = duckdb.connect(str(ingested), read_only=True)
    embedded = sorted(con.execute(f"SELECT {cols} FROM copies").fetchall())
    members = sorted(con.execute("SELECT * FROM story_members").fetchall())
    con.close()
    assert len(embedded) >= 5  # the near copies were found
    for out, _ in (ray_out, local_out):
        scan = f"read_parquet('{out}/copies/*.parquet')"
        assert sorted(duckdb.sql(f"SELECT {cols} FROM {scan}").fetchall()) == embedded
        scan = f"read_parquet('{out}/story_members/*.parquet')"
        assert sorted(duckdb.sql(f"SELECT * FROM {scan}").fetchall()) == members


@needs_ray
def test_load_parquet_gives_the_ingest_store(ray_out, ingested, tmp_path):
    db = tmp_path / "loaded.duckdb"
    done = CliRunner().invoke(main, ["ingest", "--from-parquet", str(ray_out[0]), "--db", str(db)])
    assert done.exit_code == 0, done.output
    with Store(db) as store:
        assert load(store, ray_out[0]) == 0  # a second load adds nothing
        mine = {t: _store(db, t, store.db) for t in (*ARTICLE_TABLES, "copies", "story_members")}
        order = _order(store.db, "articles")
        seqs = [r[0] for r in store.db.execute("SELECT seq FROM articles ORDER BY seq").fetchall()]
    con = duckdb.connect(str(ingested), read_only=True)
    assert order == _order(con, "articles")
    assert seqs == list(range(1, len(seqs) + 1))
    for table, rows in mine.items():
        assert rows == _store(ingested, table, con), table
    con.close()


def _worker_pids() -> list[int]:
    """Processes of Ray Data actors running ShardWorker (their title names the class)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ShardWorker" in cmdline:
                pids.append(int(entry.name))
    return pids


@needs_ray
def test_killed_worker_is_retried(inputs, ray_session, tmp_path):
    out = tmp_path / "killed"
    small = [str(Path(inputs[1]).with_name("small.jsonl"))]  # 33 records, one bad
    result: dict = {}

    def job() -> None:
        try:
            result["manifest"] = run(
                small,
                out,
                engine="ray",
                workers=2,
                batch_size=4,
                batches_per_shard=1,
                corpus_steps=False,
            )
        except BaseException as exc:  # reported by the assertion below
            result["error"] = exc

    thread = threading.Thread(target=job)
    thread.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and thread.is_alive() and time.monotonic() < deadline:
        parts = list((out / "articles").glob("part-*.parquet")) if out.is_dir() else []
        pids = _worker_pids()
        if parts and pids:
            killed = pids[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.2)
    thread.join(300)
    assert killed is not None, "the job ended before a worker could be killed"
    assert "error" not in result, result.get("error")
    manifest = result["manifest"]
    items = sum(1 for _ in read_inputs(small))
    assert manifest["items"] == items
    assert manifest["articles"] + manifest["duplicates"] + manifest["errors"] == items
    assert manifest["shards"] == len(list((out / "articles").glob("part-*.parquet")))
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/articles/*.parquet')")
    assert rows.fetchone()[0] == manifest["articles"]
