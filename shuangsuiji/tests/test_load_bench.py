"""The load bench's own instruments (bench/load_bench.py, issue 20): its small HTTP/1.1 client reads
what nginx and gunicorn send (a length, chunks, a 304 without a body, a closed connection), a step
fails on one error or on a p95 over the goal, and the figures RESULTS.md reports are chosen as
documented. The measured run itself starts a cluster (bench/run --only load), so it is not here."""

import asyncio
import concurrent.futures
import random
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import load_bench  # noqa: E402


def _serve(responses: list[bytes]):
    """A loopback server answering each request on a connection with the next canned response."""

    async def handler(reader, writer):
        for raw in responses:
            line = await reader.readline()
            while line not in (b"\r\n", b""):  # the request's head: read, not checked
                line = await reader.readline()
            writer.write(raw)
            await writer.drain()
        writer.close()

    return handler


def _exchange(responses: list[bytes], n: int) -> list[tuple]:
    async def main():
        server = await asyncio.start_server(_serve(responses), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        conn = load_bench.Conn("127.0.0.1", port)
        out = [await conn.request("GET", "/public/", {}) for _ in range(n)]
        await conn.close()
        server.close()
        await server.wait_closed()
        return out

    # on a thread of its own: after the browser tests, Playwright's event loop runs in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(main(), 10)).result()


def test_the_client_reads_a_length_chunks_and_a_304_on_one_connection():
    page = "公示".encode()
    out = _exchange(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nSet-Cookie: sessionid=abc; Path=/\r\n\r\n" % len(page)
            + page,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
            b"HTTP/1.1 302 Found\r\nLocation: /inspection/s/1/\r\nContent-Length: 0\r\n\r\n",
        ],
        4,
    )
    assert [o[0] for o in out] == [200, 200, 304, 302]
    assert out[0][3] == page and out[0][2] == {"sessionid": "abc"}
    assert out[1][3] == b"abcde"
    assert out[2][3] == b"" and out[2][1]["etag"] == '"x"'
    assert out[3][1]["location"] == "/inspection/s/1/"


def test_the_client_reads_to_the_end_when_the_server_closes():
    out = _exchange([b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe whole body"], 1)
    assert out[0][0] == 200 and out[0][3] == b"the whole body"


def _rows(latencies_ms, errors=0):
    rows = [
        {"kind": "public", "due": 0.0, "start": 0.0, "end": ms / 1000, "status": 200, "error": "", "ok": True}
        for ms in latencies_ms
    ]
    rows += [
        {
            "kind": "approve",
            "due": 0.0,
            "start": 0.0,
            "end": 0.01,
            "status": 500,
            "error": "HTTP 500",
            "ok": False,
        }
    ] * errors
    return rows


def test_a_step_passes_only_with_no_error_and_p95_within_the_goal():
    fast = load_bench.summarize(_rows([10] * 95 + [250] * 5), 10, 10)
    assert fast["passed"] and fast["p95_ms"] == pytest.approx(250)
    slow = load_bench.summarize(_rows([10] * 90 + [400] * 10), 10, 10)
    assert not slow["passed"] and slow["p95_ms"] == pytest.approx(400)
    one_error = load_bench.summarize(_rows([10] * 100, errors=1), 10, 10)
    assert not one_error["passed"] and one_error["error_samples"] == ["approve: HTTP 500"]
    assert not load_bench.summarize([], 10, 10)["passed"]


def _step(rate, passed):
    return {"rate": rate, "passed": passed, "p95_ms": 100.0 if passed else 900.0}


def test_the_reported_rate_is_the_highest_passing_step_and_the_reference_rate_as_documented():
    steps = [_step(100, True), _step(200, True), _step(300, True), _step(400, False)]
    assert load_bench.best(steps)["rate"] == 300
    assert load_bench.reference_rate("mix", steps) == 300
    # the cached pages: /healthz at the goal's rate (it reaches the app), when that step passed
    assert load_bench.reference_rate("public_cached", steps) == load_bench.CACHED_GOAL_RPS
    assert load_bench.reference_rate("public_cached", [_step(100, True), _step(150, False)]) == 100
    assert load_bench.best([_step(8, False)]) is None


def test_the_mix_cpu_is_the_weighted_cost_of_a_request():
    cpu = {
        kind: {"cpu_ms_total": 10.0}
        for kinds in load_bench.MIX_KINDS.values()
        for kind in kinds  # every request costing 10 ms: the mix costs 10 ms per request
    }
    assert load_bench.mix_cpu_ms(cpu) == pytest.approx(10.0)
    assert sum(w for w, _ in load_bench.JOURNEYS.values()) == pytest.approx(1.0)


def test_each_measured_page_kind_and_each_journeys_request_come_from_one_builder():
    world = {
        "terms": ["鑫达"],
        "draws": ["2026-001-01-1"],
        "work": [{"user": "insp", "selection": 7, "items": [{"pk": 3, "offsite": False}]}],
        "reviewers": ["rev"],
        "supply": [],
    }
    visitors = {
        name: load_bench.Visitor(name, {"sessionid": name, "csrftoken": f"t-{name}"})
        for name in ("insp", "rev", "office")
    }
    plan = load_bench.Plan(world, visitors, random.Random(1))
    part = {"reviewer": "rev", "inspection": 11}
    for kind, _label in load_bench.KINDS:
        method, path, headers, body, expect = plan.page(kind, 0, part=part)
        assert path.startswith("/"), kind
        assert (method == "POST") == (expect == (302,)) == (kind in ("save_results", "approve")), kind
        assert ("Cookie" in headers) == (not kind.startswith(("public", "healthz"))), kind
    save = parse_qs(plan.page("save_results", 0, token="from-page")[3].decode())
    assert save["csrfmiddlewaretoken"] == ["from-page"] and save["i3-method"] == ["onsite"]
    # each save flips the categories, so that each one changes a result
    again = parse_qs(plan.page("save_results", 0)[3].decode())
    assert again["csrfmiddlewaretoken"] == ["t-insp"] and again["i3-categories"] != save["i3-categories"]
    approve = parse_qs(plan.page("approve", 0, part=part)[3].decode())
    assert approve == {"csrfmiddlewaretoken": ["t-rev"], "inspection": ["11"], "action": ["approve"]}
    with pytest.raises(ValueError):
        plan.page("nonsense")
