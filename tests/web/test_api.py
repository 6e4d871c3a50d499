"""The JSON API in-process: pagination, errors, exports, upload limits, escaping."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from presslens.web import create_app
from presslens.web.app import MAX_UPLOAD
from presslens.web.highlight import LAYERS, render


@pytest.fixture(scope="module")
def client(seeds_db) -> TestClient:
    return TestClient(create_app(seeds_db), raise_server_exceptions=True)


def test_articles_pagination(client):
    everything = client.get("/api/articles", params={"limit": 100}).json()
    assert everything["total"] == 5 and len(everything["items"]) == 5
    seen = []
    for offset in range(0, 5, 2):
        page = client.get("/api/articles", params={"limit": 2, "offset": offset}).json()
        assert page["total"] == 5 and page["offset"] == offset
        seen += [a["id"] for a in page["items"]]
    assert seen == [a["id"] for a in everything["items"]]
    past = client.get("/api/articles", params={"offset": 50}).json()
    assert past["items"] == [] and past["total"] == 5


def test_search_pagination_and_facets(client):
    first = client.get("/api/search", params={"q": "Iran", "limit": 2}).json()
    second = client.get("/api/search", params={"q": "Iran", "limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] >= 3
    assert not {h["id"] for h in first["items"]} & {h["id"] for h in second["items"]}
    assert sum(f["count"] for f in first["facets"]["outlet"]) == first["total"]
    hit = first["items"][0]
    body = client.get(f"/api/articles/{hit['id']}").json()["record"]["body"]
    assert body[hit["match"]["start"] : hit["match"]["end"]] == hit["match"]["text"]
    soleimani = client.get("/api/search", params={"actor": "Qassem Soleimani"}).json()
    assert soleimani["total"] == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/sha256:0000",
        "/api/stories/no-such-story",
        "/api/actors/NO SUCH KEY",
        "/api/narratives/n999",
        "/api/nothing-here",
    ],
)
def test_unknown_ids_are_json_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["detail"]


def test_unknown_page_is_html_404(client):
    r = client.get("/article/sha256:0000")
    assert r.status_code == 404 and "no article" in r.text


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1000}, {"offset": -1}, {"since": "yesterday"}, {"limit": "x"}],
)
def test_bad_parameters_are_422(client, params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_article_detail_by_bare_hex(client):
    aid = client.get("/api/articles").json()["items"][0]["id"]
    full = client.get(f"/api/articles/{aid}").json()
    bare = client.get(f"/api/articles/{aid.removeprefix('sha256:')}").json()
    assert full == bare and full["record"]["id"] == aid


def test_exports(client):
    r = client.get("/api/export/quotes", params={"format": "jsonl"})
    assert r.status_code == 200 and "quotes.jsonl" in r.headers["content-disposition"]
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert rows and {"article_id", "text", "speaker"} <= rows[0].keys()
    r = client.get("/api/export/articles", params={"format": "csv"})
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert len(table) == 5
    r = client.get("/api/export/stories", params={"format": "parquet"})
    import pyarrow.parquet as pq

    stories = pq.read_table(io.BytesIO(r.content))
    assert stories.num_rows == len(client.get("/api/stories").json())
    assert client.get("/api/export/secrets").status_code == 422
    assert client.get("/api/export/quotes", params={"format": "xml"}).status_code == 422


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in r.text  # every script is a file
    assert not re.search(r"\son\w+=", r.text)  # no inline event handlers


def test_upload_size_limit(client):
    big = "a" * (MAX_UPLOAD + 10)
    r = client.post("/analyze", data={"text": big})
    assert r.status_code == 413 and "limit is 2 MB" in r.text
    r = client.post("/analyze", files={"file": ("big.txt", big.encode(), "text/plain")})
    assert r.status_code == 413 and "limit is 2 MB" in r.text
    r = client.post("/api/analyze", json={"text": big})
    assert r.status_code == 413 and "2 MB" in r.json()["detail"]
    r = client.post("/analyze", data={"text": "  "})
    assert r.status_code == 400 and "Nothing to analyse" in r.text
    r = client.post("/api/analyze", content=b"not json")
    assert r.status_code == 422


def test_analyze_a_text(client):
    text = (
        "Minister Says Talks Will Go On\n\n"
        'Foreign Minister Jane Doe said on Monday that "the talks will continue next week".\n\n'
        "At least 12 people were killed in the clashes, the ministry said.\n"
    )
    r = client.post("/api/analyze", json={"text": text})
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["body"] and record["quotes"]
    page = client.post("/analyze", files={"file": ("page.txt", text.encode(), "text/plain")})
    assert page.status_code == 200 and "analysed, not stored" in page.text
    assert "l-quotes" in page.text


def _strip(html: str) -> str:
    """The text a browser shows from the highlighted body, removed blocks left out."""
    html = re.sub(
        r'<span class="removed"[^>]*><span class="reason">[^<]*</span>[^<]*</span>', "", html
    )
    return unescape(re.sub(r"<[^>]*>", "", html))


@settings(max_examples=200, deadline=None)
@given(
    body=st.text(alphabet=st.sampled_from("ab <>&\"'=/\n"), max_size=60),
    cuts=st.lists(st.tuples(st.integers(-3, 70), st.integers(-3, 70)), max_size=8),
)
def test_render_escapes_every_slice(body, cuts):
    record = {
        "body": body,
        "quotes": [{"text": "", "start": a, "end": b, "kind": "direct"} for a, b in cuts],
        "techniques": [{"technique": "<b>x</b>", "start": b, "end": a} for a, b in cuts],
        "removed": [{"text": "<script>x()</script>", "reason": "<i>", "raw_end": 0}],
        "segments": [[0, len(body), 0, len(body), True]],
    }
    html = str(render(record, set(LAYERS)))
    assert _strip(html) == body
    assert "<script" not in html and "<b>" not in html and "<i>" not in html


def test_serve_refuses_a_missing_store(tmp_path):
    from click.testing import CliRunner

    from presslens.cli import main

    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "no such store" in result.output
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text
