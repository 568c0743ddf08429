"""Each defect found with hostile records and a normal install, pinned by the behaviour that
fixes it (the numbers are the findings of the robustness issue)."""

from __future__ import annotations

import copy
import json
import re
import signal
from contextlib import contextmanager

import pyoxigraph
import pytest
from click.testing import CliRunner
from werkzeug import Request, Response

from kg.cli import main
from kg.iri import checked_iri
from kg.mapping import map_record
from kg.publications.citation import parse_citation
from kg.rdf import Literal
from kg.serialize import FORMATS
from kg.stores.oxigraph import OxigraphStore
from kg.vocab import KG_NS
from tests.conftest import EXAMPLE, load_json, shared_path


@contextmanager
def at_most_seconds(limit: int):
    """Fail instead of hanging when a pattern backtracks without bound."""
    def expire(*_):
        raise TimeoutError(f"took more than {limit} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(limit)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def reference() -> dict:
    return copy.deepcopy(load_json(EXAMPLE))


def warnings_and_errors(record: dict) -> list[str]:
    return [p.line() for p in map_record(record).problems]


# 2. Line separators inside text
def test_text_with_line_separators_loads_into_the_store_and_stays_one_line_per_triple():
    record = reference()
    record["protocolSection"]["identificationModule"]["briefTitle"] = "a\u2028b\u2029c\x85d\re"
    mapped = map_record(record)
    text = FORMATS["ntriples"].render(mapped)
    assert len(text.split("\n")) - 1 == len(text.splitlines()) == len(set(mapped.triples))
    store = OxigraphStore(None)
    store.replace_graphs([(mapped.trial, FORMATS["nquads"].render(mapped).encode())])
    titles = [q.object.value for q in store.store.quads_for_pattern(
        pyoxigraph.NamedNode(mapped.trial), pyoxigraph.NamedNode("https://schema.org/name"), None,
        None)]
    assert titles == ["a\u2028b\u2029c\x85d\re"]


# 3. Invalid IRIs
@pytest.mark.parametrize("url, expected", [
    ("https://example.org/a%zzb#c#d", "https://example.org/a%25zzb#c%23d"),
    ("https://example.org/a b\x01", "https://example.org/a%20b%01"),
    ("https://example.org/\ufffe", "https://example.org/%EF%BF%BE"),
    ("https://example.org:99x/", None), ("http://[::1", None)])
def test_every_url_becomes_a_valid_iri_or_stays_text_with_a_warning(url, expected):
    record = reference()
    record["protocolSection"]["referencesModule"]["seeAlsoLinks"] = [{"label": "x", "url": url}]
    mapped = map_record(record)
    urls = [o for s, p, o in mapped.triples if s.endswith("/see-also/1") and p.endswith("/url")]
    if expected is None:
        assert urls == [Literal(url)]
        assert any("seeAlsoLinks[0].url" in line for line in warnings_and_errors(record))
    else:
        assert urls == [expected] and checked_iri(expected) == expected


def test_an_expanded_access_id_that_is_no_nct_id_is_left_out_with_a_warning():
    record = reference()
    record["protocolSection"]["statusModule"]["expandedAccessInfo"] = {"nctId": "NCT1/../x"}
    assert not [t for t in map_record(record).triples if t[1] == KG_NS + "expandedAccessRecord"]
    assert any("expandedAccessInfo.nctId" in line for line in warnings_and_errors(record))


def test_a_retraction_pmid_that_is_no_pmid_is_left_out_with_a_warning():
    record = reference()
    reference_entry = record["protocolSection"]["referencesModule"]["references"][0]
    reference_entry["retractions"] = [{"pmid": "123 456>", "source": "x"}]
    assert not [t for t in map_record(record).triples if t[1] == KG_NS + "retraction"]
    assert any("retractions[0].pmid" in line for line in warnings_and_errors(record))


def test_a_mesh_id_with_a_trailing_newline_is_refused():
    record = reference()
    record["derivedSection"]["conditionBrowseModule"]["meshes"][0]["id"] = "D008180\n"
    assert any("meshes[0].id: not a MeSH id" in line for line in warnings_and_errors(record))


# 4. One bad legacy XML record
@pytest.mark.parametrize("age, count", [("18", "5796"), ("18 Yrs", "5796"), ("18 Years", "&#178;")])
def test_an_odd_legacy_record_is_reported_and_the_others_are_written(tmp_path, age, count):
    xml = shared_path("records", "legacy-xml", "NCT02513394.xml").read_text()
    odd = xml.replace("<minimum_age>18 Years</minimum_age>", f"<minimum_age>{age}</minimum_age>")
    odd = odd.replace(">5796</enrollment>", f">{count}</enrollment>")
    odd = odd.replace("NCT02513394", "NCT02513395")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "odd.xml").write_text(odd)
    (tmp_path / "in" / "good.xml").write_text(xml)
    out = tmp_path / "out.nt"
    result = CliRunner().invoke(main, ["export", str(tmp_path / "in"), "-f", "ntriples", "-o",
                                       str(out), "--no-validate", "-w", "1"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "NCT02513395" in errors[0], result.stderr
    assert "trial/NCT02513394>" in out.read_text() and "trial/NCT02513395>" in out.read_text()


def test_any_exception_while_mapping_is_that_records_one_line_error(monkeypatch, tmp_path):
    import kg.mapping

    def broken_section(record, ctx):
        if ctx.nct_id == "NCT00000002":
            raise IndexError("list index out of range")
        return iter(())

    monkeypatch.setattr(kg.mapping, "SECTIONS", (*kg.mapping.SECTIONS, broken_section))
    from kg.pipeline.export import process_unit
    from kg.sources.units import RawUnit

    outcomes = []
    for number in (1, 2, 3):
        record = reference()
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT0000000{number}"
        outcomes += process_unit(RawUnit(f"{number}.json", json.dumps(record).encode()),
                                 kg.pipeline.export.ExportOptions(formats=("ntriples",),
                                                         base="https://w3id.org/ctkg/id/"))
    assert [o.failed for o in outcomes] == [False, True, False]
    assert outcomes[1].lines == ["error: 2.json: NCT00000002: cannot be mapped "
                                 "(IndexError: list index out of range)"]


# 5. Only ASCII digits are numbers and dates
@pytest.mark.parametrize("date", ["２００７-０３", "2007-03\n", "٢٠٠٧"])
def test_dates_in_other_digits_or_with_a_newline_are_malformed_not_typed(date):
    record = reference()
    record["protocolSection"]["statusModule"]["startDateStruct"]["date"] = date
    triples = map_record(record).triples
    (start,) = [o for _, p, o in triples if p == KG_NS + "startDate"]
    assert start.datatype.endswith("#string")
    assert any("startDateStruct.date: malformed date" in line for line in warnings_and_errors(record))


def test_ages_in_other_digits_are_malformed():
    record = reference()
    record["protocolSection"]["eligibilityModule"]["minimumAge"] = "١٨ Years"
    assert any("minimumAge: malformed age" in line for line in warnings_and_errors(record))


def test_results_numbers_in_other_digits_stay_text():
    from kg.mapping.numbers import counted, measured

    assert measured("١.٥").datatype.endswith("#string")
    assert counted("٨").datatype.endswith("#string")
    assert measured("1.5").datatype.endswith("#decimal")


# 6. kg fetch never writes outside its directory
def test_fetch_refuses_an_answer_whose_id_is_a_path(httpserver, tmp_path):
    record = reference()
    record["protocolSection"]["identificationModule"]["nctId"] = "../../escaped"

    def answer(request: Request) -> Response:
        return Response(json.dumps(record), content_type="application/json")

    httpserver.expect_request(re.compile("^/api/v2/studies/.*")).respond_with_handler(answer)
    out = tmp_path / "deep" / "raw"
    result = CliRunner().invoke(main, ["fetch", "--nct", "NCT00698191", "--api-url",
                                       httpserver.url_for("/api/v2"), "--rate", "0", "-o", str(out)])
    assert result.exit_code == 1
    assert "malformed NCT id" in result.stderr
    assert not list(tmp_path.rglob("*.json"))


# 7. Patterns that run on registry text are linear
@pytest.mark.parametrize("citation", [
    "Smith J, " + "A-a-" * 40 + "A! Title. J Med. 2008;1:1.",
    "Smith J. Title. J Med. 2008;1:1." + " " * 20_000 + "x",
    "Smith J. Title. J Med. 2008;1:" + "1" * 20_000 + "x"])
def test_crafted_citations_parse_in_bounded_time(citation):
    with at_most_seconds(5):
        parse_citation(citation)


@pytest.mark.parametrize("criteria", [
    "Inclusion Criteria" + " " * 20_000 + "x", "\n" * 20_000 + "x",
    "Exclusion criteria:\n" + " \n" * 20_000 + "x"])
def test_crafted_eligibility_text_maps_in_bounded_time(criteria):
    record = reference()
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = criteria
    with at_most_seconds(5):
        map_record(record)


# 8. Memory stays bounded
def test_a_zip_member_that_expands_past_the_limit_is_refused_and_the_rest_exported(
        monkeypatch, tmp_path):
    import zipfile

    import kg.sources.archive

    monkeypatch.setattr(kg.sources.archive, "MAX_MEMBER_BYTES", 100_000)
    archive = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("bomb.json", b" " * 200_000)
        zipped.write(EXAMPLE, "NCT00698191.json")
    out = tmp_path / "out.nt"
    result = CliRunner().invoke(main, ["export", str(archive), "-o", str(out), "--no-validate",
                                       "-w", "1"])
    assert result.exit_code == 1
    assert f"error: {archive}:bomb.json: archive member expands past 0 MB" in result.stderr
    assert "trial/NCT00698191>" in out.read_text()
