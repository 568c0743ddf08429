"""ISRCTN's API, live: a local server on 127.0.0.1 answering with the API's own XML (the
shared native records: a search's three trials, single trials)."""

from __future__ import annotations

import re

import pytest
from werkzeug import Request, Response

from kg.http import HttpClient
from kg.sources.api import SearchError
from kg.sources.isrctn_api import IsrctnClient
from tests.conftest import kg, shared_path

SEARCH = "ISRCTN15375673_ISRCTN16025168_ISRCTN16132141.xml"


class Isrctn:
    """ISRCTN's API as kg uses it: a trial by id, a search asked for its count then its trials."""

    def __init__(self):
        native = shared_path("registries", "native", "isrctn")
        self.trials = {p.stem: p.read_bytes() for p in native.glob("ISRCTN????????.xml")}
        self.search_answer = (native / SEARCH).read_bytes()
        self.requests: list[tuple[str, dict]] = []
        self.failures: list[Response] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append((request.path, dict(request.args)))
        if self.failures:
            return self.failures.pop(0)
        found = re.fullmatch(r"/api/trial/(ISRCTN[0-9]{8})/format/default", request.path)
        if found:
            body = self.trials.get(found.group(1))
            return Response(body, content_type="application/xml") if body else Response(
                "Not found", status=404)
        if request.path == "/api/query/format/default":
            if request.args.get("limit") == "0":  # the count alone, as the API answers it
                count = re.search(rb'totalCount="[0-9]+"', self.search_answer).group(0)
                return Response(b'<allTrials xmlns="http://www.67bricks.com/isrctn" ' + count
                                + b"/>", content_type="application/xml")
            return Response(self.search_answer, content_type="application/xml")
        return Response("no such path", status=404)


@pytest.fixture()
def isrctn(httpserver):
    server = Isrctn()
    httpserver.expect_request(re.compile("^/api/.*")).respond_with_handler(server)
    server.url = httpserver.url_for("/api")
    return server


def test_trials_by_isrctn_and_by_search_export_like_the_files(isrctn, tmp_path):
    live = tmp_path / "live.nq"
    result = kg("export", "--isrctn", "62918594", "--isrctn", "ISRCTN38597726",
                "--isrctn-query", "myalgic encephalomyelitis", "--isrctn-url", isrctn.url,
                "--rate", "0", "-f", "nquads", "-o", str(live), "-w", "1", in_process=True)
    assert result.exit_code == 0, result.stderr
    files = tmp_path / "files.nq"
    native = shared_path("registries", "native", "isrctn")
    kg("export", str(native / "ISRCTN62918594.xml"), str(native / "ISRCTN38597726.xml"),
       str(native / SEARCH), "-f", "nquads", "-o", str(files), check=True)
    assert sorted(live.read_text().splitlines()) == sorted(files.read_text().splitlines())
    searches = [args for path, args in isrctn.requests if path.endswith("/query/format/default")]
    assert searches == [{"q": "myalgic encephalomyelitis", "limit": "0"},
                        {"q": "myalgic encephalomyelitis", "limit": "11"}]  # its totalCount


def test_max_caps_what_a_search_asks_for(isrctn):
    client = IsrctnClient(isrctn.url, HttpClient(per_second=0))
    units = list(client.search("anything", limit=2))
    assert len(units) == 1 and client.total == 11
    assert isrctn.requests[-1][1] == {"q": "anything", "limit": "2"}


def test_a_missing_trial_is_named_and_not_asked_again(isrctn, tmp_path):
    result = kg("export", "--isrctn", "ISRCTN00000001", "--isrctn", "ISRCTN62918594",
                "--isrctn-url", isrctn.url, "--rate", "0", "-f", "nquads",
                "-o", str(tmp_path / "o.nq"), "-w", "1", in_process=True)
    assert result.exit_code == 1
    assert "isrctn-api:ISRCTN00000001: ISRCTN00000001: no such trial (HTTP 404)" in result.stderr
    assert [p for p, _ in isrctn.requests].count("/api/trial/ISRCTN00000001/format/default") == 1
    assert "trial/ISRCTN62918594>" in (tmp_path / "o.nq").read_text()


def test_429_with_retry_after_is_waited_for_then_retried(isrctn):
    isrctn.failures.append(Response("slow down", status=429, headers={"Retry-After": "2"}))
    waits: list[float] = []
    client = IsrctnClient(isrctn.url, HttpClient(per_second=0, sleep=waits.append))
    unit = client.trial("ISRCTN62918594")
    assert unit.error is None and 2.0 in waits


def test_a_refused_search_is_a_search_error_with_the_registry_text(isrctn):
    isrctn.failures.append(Response("q: unbalanced quotes", status=400))
    with pytest.raises(SearchError, match="unbalanced quotes"):
        list(IsrctnClient(isrctn.url, HttpClient(per_second=0)).search('"open'))
