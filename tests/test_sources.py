"""Sources: the registry API v2 (a local server with the API's paths and parameters, serving the
shared real records), the bulk zip archive, and the fetch-then-export-offline round trip."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from werkzeug import Request, Response

from kg.http import HttpClient
from kg.sources.api import RegistryClient, Search
from tests.conftest import EXAMPLE, kg, load_json, shared_path
from tests.virtuoso import free_port

PAGES = ["search_page_example.json", "search_page_example_2.json", "search_page_example_3.json"]


class Registry:
    """A stand-in registry: studies by id, a 301 alias, 404s, and a three-page search whose
    every page must carry the same parameters."""

    def __init__(self):
        self.records = {p.stem: p.read_bytes() for p in shared_path("records", "v2").glob("NCT*.json")}
        self.records["NCT00698191"] = EXAMPLE.read_bytes()
        self.pages = [load_json(shared_path("records", "v2", name)) for name in PAGES]
        self.search_params: list[dict] = []
        self.failures: dict[str, list[Response]] = {}
        self.requests: list[str] = []

    def __call__(self, request: Request) -> Response:
        path = request.path.removeprefix("/api/v2")
        self.requests.append(path)
        queued = self.failures.get(path)
        if queued:
            return queued.pop(0)
        if path == "/studies":
            return self.search(request)
        nct_id = path.removeprefix("/studies/")
        if nct_id == "NCT00000999":  # an alias of the reference trial
            return Response(status=301, headers={"Location": "/api/v2/studies/NCT00698191"})
        if nct_id in self.records:
            return Response(self.records[nct_id], content_type="application/json")
        return Response(f"NCT number {nct_id} not found", status=404, content_type="text/plain")

    def search(self, request: Request) -> Response:
        params = dict(request.args)
        if params.get("filter.advanced", "").count("[") != params.get("filter.advanced", "").count("]"):
            return Response("filter.advanced: unbalanced brackets in 'AREA[Phase'", status=400,
                            content_type="text/plain")
        self.search_params.append(params)
        token = params.pop("pageToken", None)
        number = 0 if token is None else [p.get("nextPageToken") for p in self.pages].index(token) + 1
        page = dict(self.pages[number])
        if number == len(self.pages) - 1:
            page.pop("nextPageToken", None)
        if number != 0:
            page.pop("totalCount", None)
        return Response(json.dumps(page), content_type="application/json")


@pytest.fixture()
def registry(httpserver):
    server = Registry()
    httpserver.expect_request(__import__("re").compile("^/api/v2/.*")).respond_with_handler(server)
    server.url = httpserver.url_for("/api/v2")
    return server


def test_three_page_search_is_exported_completely_and_in_order(registry, tmp_path):
    result = kg("export", "--query", "lupus", "--status", "RECRUITING", "--status", "COMPLETED",
                "--api-url", registry.url, "--rate", "0", "-f", "nquads",
                "-o", str(tmp_path / "out.nq"), "--no-validate", "-w", "1", in_process=True)
    assert result.exit_code == 0, result.output
    expected = [s["protocolSection"]["identificationModule"]["nctId"]
                for page in registry.pages for s in page["studies"]]
    graphs = [line.rsplit(" ", 2)[-2] for line in (tmp_path / "out.nq").read_text().splitlines()]
    order = list(dict.fromkeys(g.rsplit("/", 1)[-1].rstrip(">") for g in graphs))
    assert order == expected
    first, *rest = registry.search_params
    assert first.pop("countTotal") == "true" and all("countTotal" not in p for p in rest)
    assert all(p == first for p in rest), "every page carries the same parameters"
    assert first == {"query.term": "lupus", "filter.overallStatus": "RECRUITING|COMPLETED",
                     "pageSize": "1000", "format": "json"}


def test_max_stops_a_search_early(registry):
    client = RegistryClient(registry.url, HttpClient(per_second=0))
    units = list(client.search(Search(condition="lupus"), limit=2))
    assert len(units) == 2 and len(registry.search_params) == 2
    assert client.total == registry.pages[0]["totalCount"]


def test_since_asks_for_records_updated_on_or_after_the_date(registry):
    client = RegistryClient(registry.url, HttpClient(per_second=0))
    list(client.search(Search(since="2026-11-23"), limit=1))
    assert registry.search_params[0]["filter.advanced"] == \
        "AREA[LastUpdatePostDate]RANGE[2026-11-23,MAX]"


def test_ids_with_a_404_among_them_and_an_alias(registry, tmp_path):
    result = kg("export", "--nct", "NCT00184067", "--nct", "NCT09999999", "--nct", "NCT00000999",
                "--api-url", registry.url, "--rate", "0", "-f", "ntriples",
                "-o", str(tmp_path / "out.nt"), "--no-validate", "-w", "1", in_process=True)
    assert result.exit_code == 1
    assert "api:NCT09999999: NCT09999999: no such study (HTTP 404)" in result.stderr
    assert registry.requests.count("/studies/NCT09999999") == 1, "a 404 is not retried"
    text = (tmp_path / "out.nt").read_text()
    assert "trial/NCT00184067>" in text and "trial/NCT00698191>" in text, "alias followed"


def test_429_with_retry_after_then_success(registry, tmp_path):
    from kg.http import HttpClient as Client

    registry.failures["/studies/NCT00184067"] = [
        Response("slow down", status=429, headers={"Retry-After": "3"})]
    waits: list[float] = []
    client = RegistryClient(registry.url, Client(per_second=0, sleep=waits.append))
    unit = client.study("NCT00184067")
    assert unit.error is None and 3.0 in waits


def test_500_twice_then_success(registry):
    registry.failures["/studies/NCT00184067"] = [Response("oops", status=500),
                                                 Response("oops", status=503)]
    waits: list[float] = []
    client = RegistryClient(registry.url, HttpClient(per_second=0, sleep=waits.append, backoff=0.5))
    assert client.study("NCT00184067").error is None and waits == [0.5, 1.0]


def test_400_shows_the_registry_text(registry, tmp_path):
    result = kg("export", "--filter-advanced", "AREA[Phase", "--api-url", registry.url,
                "--rate", "0", "-o", str(tmp_path / "o.nt"), "-f", "ntriples", in_process=True)
    assert result.exit_code == 1
    assert "refused the search (HTTP 400): filter.advanced: unbalanced brackets" in result.stderr
    assert registry.requests == ["/studies"], "a 400 is not retried"
    assert not (tmp_path / "o.nt").exists(), "no partial output left behind"


def test_refused_connection_is_a_clear_error_and_exit_1(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api/v2"
    result = kg("export", "--nct", "NCT00698191", "--api-url", url, "--retries", "1",
                "--rate", "0", "-o", str(tmp_path / "o.nt"), "-f", "ntriples", in_process=True)
    assert result.exit_code == 1
    assert "NCT00698191" in result.stderr and "connection refused" in result.stderr


def test_fetch_saves_records_that_export_offline_to_the_same_graph(registry, tmp_path):
    result = kg("fetch", "--query", "x", "--api-url", registry.url, "--rate", "0",
                "-o", str(tmp_path / "raw"), in_process=True)
    assert result.exit_code == 0, result.output
    saved = sorted(p.name for p in (tmp_path / "raw").iterdir())
    assert len(saved) == 13 and saved[0].startswith("NCT")
    live = tmp_path / "live.nt"
    kg("export", "--query", "x", "--api-url", registry.url, "--rate", "0", "-f", "ntriples",
       "-o", str(live), "--no-validate", "-w", "1", in_process=True)
    offline = tmp_path / "offline.nt"
    kg("export", str(tmp_path / "raw"), "-f", "ntriples", "-o", str(offline), "--no-validate",
       in_process=True)
    assert sorted(live.read_text().splitlines()) == sorted(offline.read_text().splitlines())


def make_archive(path: Path, records: list[Path], corrupt: bool = False) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.write(record, f"ctg-studies/{record.name}")
        if corrupt:
            archive.writestr("ctg-studies/NCT99999998.json", json.dumps(load_json(EXAMPLE)) * 50)
    if corrupt:  # flip bytes inside the last member's compressed data
        data = bytearray(path.read_bytes())
        info = zipfile.ZipFile(path).getinfo("ctg-studies/NCT99999998.json")
        start = info.header_offset + 30 + len(info.filename) + 40
        data[start:start + 20] = bytes(20)
        path.write_bytes(bytes(data))


def test_archive_exports_the_same_graph_as_the_directory(tmp_path):
    records = sorted(shared_path("records", "v2").glob("NCT*.json"))
    make_archive(tmp_path / "ctg-studies.json.zip", records)
    directory = tmp_path / "dir"
    directory.mkdir()
    for record in records:
        (directory / record.name).write_bytes(record.read_bytes())
    for source, out in ((tmp_path / "ctg-studies.json.zip", "zip.nt"), (directory, "dir.nt")):
        assert kg("export", str(source), "-f", "ntriples", "-o", str(tmp_path / out),
                  "--no-validate", in_process=True).exit_code == 0
    assert (tmp_path / "zip.nt").read_bytes() == (tmp_path / "dir.nt").read_bytes()


def test_corrupt_archive_member_is_reported_and_skipped(tmp_path):
    records = sorted(shared_path("records", "v2").glob("NCT0*.json"))[:3]
    make_archive(tmp_path / "a.zip", records, corrupt=True)
    result = kg("export", str(tmp_path / "a.zip"), "-f", "ntriples", "-o", str(tmp_path / "a.nt"),
                "--no-validate", in_process=True)
    assert result.exit_code == 1
    assert "NCT99999998.json: corrupt archive member" in result.stderr
    assert "3 records" in result.stderr


class RawServer:
    """An HTTP server on a raw socket on 127.0.0.1, for answers no well-behaved server library
    gives: each connection's request is read and ``answer`` writes what it likes."""

    def __init__(self) -> None:
        import socket
        import threading

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/v2"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                try:
                    self.answer(connection)
                except OSError:
                    continue

    def answer(self, connection) -> None:
        raise NotImplementedError


class CutShort(RawServer):
    """A registry whose first ``cuts`` answers close before their Content-Length is sent, as a
    dropped connection does; then whole answers."""

    def __init__(self, cuts: int) -> None:
        self.cuts = cuts
        self.body = EXAMPLE.read_bytes()
        super().__init__()

    def answer(self, connection) -> None:
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n").encode()
        body = self.body[:len(self.body) // 3] if self.cuts > 0 else self.body
        self.cuts -= 1
        connection.sendall(head + body)


def test_an_answer_cut_short_is_asked_for_again(tmp_path):
    server = CutShort(cuts=2)
    result = kg("export", "--nct", "NCT00698191", "--api-url", server.url, "--rate", "0",
                "-f", "ntriples", "-o", str(tmp_path / "out.nt"), "--no-validate", "-w", "1", in_process=True)
    server.listener.close()
    assert result.exit_code == 0, result.stderr
    assert "trial/NCT00698191>" in (tmp_path / "out.nt").read_text()


def test_an_answer_always_cut_short_is_one_line_naming_the_request(tmp_path):
    server = CutShort(cuts=100)
    result = kg("export", "--nct", "NCT00698191", "--api-url", server.url, "--rate", "0",
                "--retries", "1", "-f", "ntriples", "-o", str(tmp_path / "out.nt"),
                "--no-validate", "-w", "1", in_process=True)
    server.listener.close()
    assert result.exit_code == 1, result.stderr
    assert "api:NCT00698191" in result.stderr and "/studies/NCT00698191" in result.stderr
    assert "cannot write output" not in result.stderr and "Traceback" not in result.stderr


class Drip(RawServer):
    """A server that answers 200 and then sends its body a byte at a time."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        super().__init__()

    def answer(self, connection) -> None:
        import time

        body = b'{"studies": [], "totalCount": 0}' + b" " * 500
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        for byte in body:
            connection.sendall(bytes([byte]))
            time.sleep(self.gap)


def test_a_slow_drip_answer_is_given_up_at_the_deadline():
    from kg.http import DeadlinePassed

    server = Drip(gap=0.05)
    client = HttpClient(per_second=0, retries=0, deadline=1.0)
    with pytest.raises(DeadlinePassed, match="did not finish its answer within 1 s"):
        client.get(server.url + "/studies")
    server.listener.close()


def test_a_sync_against_a_slow_drip_registry_ends_with_a_clear_error(tmp_path):
    import os
    import subprocess
    import sys

    server = Drip(gap=0.05)
    done = subprocess.run([sys.executable, "-m", "kg.cli", "sync", "--store",
                           str(tmp_path / "store"), "--api-url", server.url, "--rate", "0",
                           "--retries", "0", "-w", "1"], capture_output=True, text=True,
                          env={**os.environ, "KG_HTTP_DEADLINE": "1"}, timeout=120)
    server.listener.close()
    assert done.returncode == 2, done.stderr
    assert "did not finish its answer within 1 s" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_archive_whose_entries_all_point_at_one_member_is_cut_off(tmp_path):
    """A zip bomb by overlap: the central directory lists one compressible member many times.
    Each listing would be inflated again; the data is inflated once, every other listing
    refused."""
    import struct

    record = load_json(EXAMPLE)
    body = json.dumps(record).encode() + b" " * 8_000_000  # 8 MB that compress to kilobytes
    single = tmp_path / "single.zip"
    with zipfile.ZipFile(single, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("NCT00698191.json", body)
    data = single.read_bytes()
    end = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[end + 10:end + 20])
    entry = data[offset:offset + size]
    copies = 40
    directory = entry * copies
    bomb = (data[:offset] + directory + data[end:end + 8]
            + struct.pack("<HHII", copies, copies, len(directory), offset) + data[end + 20:])
    path = tmp_path / "bomb.zip"
    path.write_bytes(bomb)
    result = kg("export", str(path), "-f", "ntriples", "-o", str(tmp_path / "out.nt"),
                "--no-validate", "-w", "1", in_process=True)
    assert result.stderr.count("points at the data of 'NCT00698191.json' again; refused") \
        == copies - 1, "the member is inflated once, its other listings refused"
    assert "1 records" in result.stderr and result.exit_code == 1


def test_links_in_an_input_directory_are_named_not_skipped_silently(tmp_path):
    import os

    records = tmp_path / "records"
    (records / "real").mkdir(parents=True)
    (records / "real" / "NCT00698191.json").write_bytes(EXAMPLE.read_bytes())
    os.symlink(tmp_path / "elsewhere", records / "gone.json")
    os.symlink(records / "real", records / "looped")
    result = kg("export", str(records), "-f", "ntriples", "-o", str(tmp_path / "out.nt"),
                "--no-validate", "-w", "1", in_process=True)
    assert result.exit_code == 1
    assert "gone.json: a link to nothing; not read" in result.stderr
    assert "looped: a link to a directory, not followed" in result.stderr
    assert "trial/NCT00698191>" in (tmp_path / "out.nt").read_text()


def test_record_text_reaches_standard_error_escaped(tmp_path):
    name = "odd\x1b[2J\rname.json"
    (tmp_path / name).write_text("{not json")
    result = kg("export", str(tmp_path / name), "-f", "ntriples", "-o", str(tmp_path / "o.nt"),
                "--no-validate", "-w", "1", in_process=True)
    assert result.exit_code in (1, 2)
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert "odd\\x1b[2J\\rname.json" in result.stderr
