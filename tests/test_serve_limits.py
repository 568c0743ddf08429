"""``kg serve`` against hostile and unlucky clients, on 127.0.0.1 only: record text that would
end a <script>, non-web IRIs, huge pages, huge bodies, abandoned and piled-up queries, queries
past their memory, connections that never finish their request, and IRIs that are not IRIs."""

from __future__ import annotations

import copy
import json
import re
import select
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.conftest import EXAMPLE, load_json
from tests.serve_fixture import start

HOSTILE_TITLE = 'Lupus <!--<script> trial </script><script>alert(1)</script> & "more"'
HUGE = "NCT09900077"


def records(directory) -> list[str]:
    """The reference trial with a hostile title, and one trial with 60,000 conditions."""
    directory.mkdir()
    hostile = load_json(EXAMPLE)
    hostile["protocolSection"]["identificationModule"]["briefTitle"] = HOSTILE_TITLE
    huge = copy.deepcopy(load_json(EXAMPLE))
    huge["protocolSection"]["identificationModule"]["nctId"] = HUGE
    huge["protocolSection"]["conditionsModule"]["conditions"] = [
        f"Condition number {n}" for n in range(60_000)]
    (directory / "hostile.json").write_text(json.dumps(hostile))
    (directory / "huge.json").write_text(json.dumps(huge))
    trial = "<https://w3id.org/ctkg/id/trial/NCT09900088>"
    (directory / "links.nt").write_text(
        f"{trial} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://schema.org/MedicalStudy> .\n"
        f"{trial} <https://schema.org/name> \"A trial given by another tool\" .\n"
        f"{trial} <https://schema.org/sameAs> <javascript:alert(1)> .\n")
    return [str(directory / "hostile.json"), str(directory / "huge.json")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("limits")
    inputs = records(directory / "records")
    store = directory / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", *inputs, "--store", str(store), "-q"],
                   check=True)
    process, url = start(store, "--timeout", "20", "--query-workers", "1", "--processes", "1",
                         "--query-memory", "1100", "--request-timeout", "2",
                         "--max-connections", "40", "--max-queue", "4")
    yield url
    process.terminate()
    process.wait(20)


def embedded_json(page: str) -> str:
    head, _, rest = page.partition('<script type="application/ld+json">')
    assert rest, "the page embeds its JSON-LD"
    return rest.partition("</script>")[0]


def test_record_text_cannot_end_or_comment_out_the_embedded_json_ld(server):
    page = requests.get(f"{server}/id/trial/NCT00698191", timeout=30).text
    embedded = embedded_json(page)
    assert "<" not in embedded and ">" not in embedded and "&" not in embedded
    assert json.loads(embedded)["name"] == HOSTILE_TITLE
    assert "<script>alert(1)" not in page


def test_the_schema_org_export_is_safe_inside_a_script_element(tmp_path):
    directory = tmp_path / "in"
    inputs = records(directory)
    out = tmp_path / "out.schemaorg.jsonl"
    subprocess.run([sys.executable, "-m", "kg.cli", "export", inputs[0], "-f", "schemaorg",
                    "-o", str(out), "--no-validate", "-q"], check=True)
    text = out.read_text()
    assert "</script" not in text and "<!--" not in text
    assert json.loads(text.splitlines()[0])["name"] == HOSTILE_TITLE


def test_only_web_iris_become_links(tmp_path):
    directory = tmp_path / "in"
    records(directory)
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", str(directory / "links.nt"),
                    "--store", str(store), "-q"], check=True)
    process, url = start(store, "--processes", "1")
    try:
        page = requests.get(f"{url}/id/trial/NCT09900088", timeout=30)
        described = requests.get(f"{url}/describe", params={"iri": "javascript:alert(1)"},
                                 timeout=30)
    finally:
        process.terminate()
        process.wait(20)
    assert page.status_code == 200 and "javascript:alert(1)" in page.text, "shown as text"
    assert 'href="javascript:' not in page.text and 'href="javascript:' not in described.text


def test_a_huge_trial_page_is_capped_and_does_not_hold_other_clients(server):
    finished: list[str] = []

    def fetch(path: str, name: str) -> None:
        requests.get(server + path, timeout=120)
        finished.append(name)

    big = threading.Thread(target=fetch, args=(f"/id/trial/{HUGE}", "huge"))
    big.start()
    time.sleep(0.3)
    small = threading.Thread(target=fetch, args=("/static/style.css", "small"))
    small.start()
    big.join(120)
    small.join(120)
    assert finished[0] == "small", "the small answer did not wait for the huge page"
    page = requests.get(f"{server}/id/trial/{HUGE}", timeout=120).text
    shown_more = re.search(r"and ([0-9,]+) more: every one is in the trial", page)
    assert shown_more and int(shown_more.group(1).replace(",", "")) >= 59_500
    visible = page.replace(embedded_json(page), "")  # the JSON-LD keeps every fact
    assert visible.count("Condition number") < 2_000


def test_a_post_body_past_the_limit_is_refused_before_it_is_read_whole(server):
    body = b"query=" + b"x" * 2_000_000
    answer = requests.post(server + "/sparql", data=body, timeout=60,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413

    def chunks():  # no Content-Length: the limit is met while reading
        for _ in range(200):
            yield b"x" * 10_000

    streamed = requests.post(server + "/sparql", data=chunks(), timeout=60,
                             headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413


SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")


def raw_query(server: str, query: str) -> socket.socket:
    """A query sent on a raw socket whose answer nobody will read."""
    port = int(server.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port))
    body = f"query={requests.utils.quote(query)}".encode()
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                 b"application/x-www-form-urlencoded\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    return sock


def test_queries_of_clients_that_hung_up_are_stopped(server):
    for _ in range(3):  # each would hold the one worker for its 20 s deadline
        raw_query(server, SLOW).close()
        time.sleep(0.5)
    answer = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=15)
    assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_queries_past_the_queue_are_refused_at_once_not_queued(server):
    held = [raw_query(server, SLOW) for _ in range(7)]  # 1 running, 4 waiting, 2 refused
    try:
        # The queue is full once two of them are refused (a fixed wait raced a slow machine).
        refused, pending, deadline = 0, list(held), time.monotonic() + 20
        while refused < 2 and pending and time.monotonic() < deadline:
            for sock in select.select(pending, [], [], 0.5)[0]:
                refused += sock.recv(4096).startswith(b"HTTP/1.1 503")
                pending.remove(sock)
        assert refused >= 2, "the server never refused the queries past its queue"
        answer = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                              timeout=15)
        assert answer.status_code == 503 and "waiting" in answer.text
        assert answer.headers.get("Retry-After")
    finally:
        for sock in held:
            sock.close()
    # The held queries' clients are gone: the server drops them from its queue and stops the
    # running one, restarting its worker. Asked meanwhile, the queue may still be full (503,
    # "waiting": asked again); a query meeting the worker being restarted runs on the new one,
    # never failing with it, whatever the machine's speed.
    deadline = time.monotonic() + 120
    while True:
        again = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                             timeout=60)
        if not (again.status_code == 503 and "waiting" in again.text
                and time.monotonic() < deadline):
            break
        time.sleep(0.1)
    assert again.status_code == 200, again.text


def test_a_query_past_its_memory_is_stopped_and_the_worker_restarted(server):
    # a string doubled 27 times: 2 GB in one row, at once, whatever the machine's speed
    doublings = " ".join(f"BIND (CONCAT(?x{n}, ?x{n}) AS ?x{n + 1})" for n in range(27))
    greedy = f'SELECT (STRLEN(?x27) AS ?n) WHERE {{ BIND ("aaaaaaaaaaaaaaaa" AS ?x0) {doublings} }}'

    answer = requests.get(server + "/sparql", params={"query": greedy}, timeout=60)
    assert answer.status_code == 503, answer.text[:300]
    assert "1,100 MB" in answer.text and "restarted" in answer.text
    after = requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_connections_that_never_finish_their_request_are_closed(server):
    port = int(server.rsplit(":", 1)[1])
    slow = []
    for _ in range(60):  # more than --max-connections
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        slow.append(sock)
    time.sleep(4)  # past --request-timeout
    closed = 0
    for sock in slow:
        sock.settimeout(5)
        try:
            closed += sock.recv(1024) == b""
        except OSError:
            closed += 1
        sock.close()
    assert closed == len(slow)
    assert requests.get(server + "/", timeout=15).status_code == 200


@pytest.mark.parametrize("path, status", [("/id/trial/NCT 1 <x>", 404),
                                          ("/describe?iri=not%20an%20iri", 400),
                                          ("/describe?iri=%3Cx%3E", 400)])
def test_a_path_or_iri_that_is_no_iri_is_a_client_error(server, path, status):
    answer = requests.get(server + path, timeout=30)
    assert answer.status_code == status


def test_negotiated_answers_say_they_vary_by_accept(server):
    for accept in ("text/html", "text/turtle"):
        answer = requests.get(f"{server}/id/trial/NCT00698191", headers={"Accept": accept},
                              timeout=30)
        assert answer.headers.get("Vary") == "Accept"


def test_port_zero_reports_the_port_it_took(tmp_path):
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", str(EXAMPLE), "--store", str(store),
                    "-q"], check=True)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                                "--port", "0", "--processes", "1"], stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stderr.readline()
        port = int(re.search(r"http://127\.0\.0\.1:([0-9]+)/", line).group(1))
        assert port != 0
        for _ in range(100):
            try:
                assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("nothing answers at the reported port")
    finally:
        process.terminate()
        process.wait(20)


def test_one_client_holding_half_requests_cannot_lock_other_clients_out(tmp_path):
    """More half-sent requests than --max-connections, all from one address (127.0.0.2): past
    --max-per-client its connections are closed at once, so another client (127.0.0.1) is
    served. The deadlines are long here: nothing depends on the machine's speed."""
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", str(EXAMPLE), "--store", str(store),
                    "-q"], check=True)
    process, url = start(store, "--processes", "1", "--max-connections", "40",
                         "--max-per-client", "10", "--request-timeout", "120",
                         "--header-timeout", "120")
    port = int(url.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(60):
            sock = socket.socket()
            sock.bind(("127.0.0.2", 0))
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers never finished
            held.append(sock)
        closed = 0
        for sock in held[10:]:  # accepted in order: the first ten are the client's share
            sock.settimeout(60)  # closed at once; the wait only bounds a very busy machine
            try:
                closed += sock.recv(1) == b""
            except OSError:
                closed += 1
        assert closed == 50, "every connection past the client's 10 is closed"
        assert requests.get(url + "/", timeout=30).status_code == 200
    finally:
        for sock in held:
            sock.close()
        process.terminate()
        process.wait(20)


def test_headers_not_sent_within_the_header_timeout_close_the_connection(tmp_path):
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", str(EXAMPLE), "--store", str(store),
                    "-q"], check=True)
    process, url = start(store, "--processes", "1", "--header-timeout", "1",
                         "--request-timeout", "600")
    try:
        sock = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(120)  # far below the 600 s request deadline, far above the header one
        started = time.monotonic()
        assert sock.recv(1) == b"" and time.monotonic() - started < 120
        sock.close()
    finally:
        process.terminate()
        process.wait(20)
