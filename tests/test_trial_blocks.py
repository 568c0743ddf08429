"""Every RDF file read a trial at a time (kg.serialize.trial_blocks): kg's own N-Triples, Turtle
and JSON-LD give each trial exactly the N-Quads lines ``kg export -f nquads`` writes for it; a
trial cut by a chunk's end, one trial larger than a chunk, and Turtle written by another tool
(prefixes, nested blank nodes, lists) are read right; the verdicts of ``kg validate`` are those
of a whole-graph parse; ``kg load`` of any of them stores the graphs loading N-Quads stores; the
C line splitter gives the Python reference's answer."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.serialize.trial_blocks as trial_blocks_module
from kg.serialize.ntriples import NTRIPLES_CLOSING, NTRIPLES_OPENING
from kg.serialize.quads import QuadsError, graph_blocks, reference_triples, strict_triples
from kg.serialize.trial_blocks import trial_blocks
from kg.validation import trial_subgraphs, validate_graph
from kg.validation.runs import run_validation
from tests.conftest import export_all, kg, shared_records


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    inputs = [str(p) for p in shared_records("v2")]
    return export_all(inputs, tmp_path_factory.mktemp("shared"))


def blocks_of(path) -> dict[str, bytes]:
    found = {}
    for block in trial_blocks(path):
        assert block.graph not in found, f"{block.graph} read twice"
        found[block.graph] = block.data
    return found


@pytest.mark.parametrize("suffix", ["nt", "ttl", "jsonld"])
def test_each_format_gives_every_trial_the_lines_the_nquads_export_holds(bundled, suffix):
    expected = {b.graph: b.data for b in graph_blocks(bundled["nq"])}
    assert len(expected) > 1
    assert blocks_of(bundled[suffix]) == expected


@pytest.mark.parametrize("suffix", ["nt", "ttl", "jsonld"])
def test_the_shared_records_read_from_each_format_as_from_nquads(shared, suffix):
    expected = {b.graph: b.data for b in graph_blocks(shared["nq"])}
    assert blocks_of(shared[suffix]) == expected


@pytest.mark.parametrize("suffix", ["nt", "ttl", "jsonld"])
@pytest.mark.parametrize("chunk", [613, 4096])
def test_a_trial_cut_by_a_chunks_end_is_read_whole(bundled, monkeypatch, suffix, chunk):
    expected = {b.graph: b.data for b in graph_blocks(bundled["nq"])}
    monkeypatch.setattr(trial_blocks_module, "CHUNK", chunk)
    assert blocks_of(bundled[suffix]) == expected


def test_one_trial_larger_than_a_chunk_is_one_block(tmp_path, monkeypatch):
    trial = "https://w3id.org/ctkg/id/trial/NCT00000001"
    lines = [f"<http://id.nlm.nih.gov/mesh/D00{n:04d}> <https://schema.org/name> \"m{n}\" .\n"
             for n in range(300)]
    lines += [f"<{trial}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
              "<https://schema.org/MedicalStudy> .\n"]
    lines += [f"<{trial}/site/{n:06d}> <https://schema.org/name> \"site {n}\" .\n"
              for n in range(20_000)]
    path = tmp_path / "huge.nt"
    path.write_text(NTRIPLES_OPENING + "".join(lines) + NTRIPLES_CLOSING)
    monkeypatch.setattr(trial_blocks_module, "CHUNK", 1 << 16)
    [block] = list(trial_blocks(path))
    assert block.graph == trial and block.triples == len(lines)


def test_the_lines_of_one_trial_not_together_are_refused(tmp_path):
    a, b = (f"https://w3id.org/ctkg/id/trial/NCT0000000{n}" for n in (1, 2))
    path = tmp_path / "split.nt"
    path.write_text(NTRIPLES_OPENING + "".join(f"<{t}> <https://schema.org/name> \"x\" .\n"
                                               for t in (a, b, a)) + NTRIPLES_CLOSING)
    with pytest.raises(QuadsError, match="not together"):
        list(trial_blocks(path))


def whole_graph_results(path, fmt: str) -> list:
    """The verdicts of parsing the whole file in rdflib and validating each trial's subgraph:
    the path every format took before."""
    graph = rdflib.Graph().parse(path, format=fmt)
    results = []
    for nct_id, _, sub in trial_subgraphs(graph):
        results += validate_graph(sub, nct_id)
    return sorted(map(repr, results))


@pytest.mark.parametrize("suffix, fmt", [("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld")])
def test_the_verdicts_are_those_of_a_whole_graph_parse_on_the_shared_records(shared, suffix, fmt):
    streamed = run_validation([str(shared[suffix])], base="", workers=1)
    assert streamed.trials == len(list(graph_blocks(shared["nq"])))
    assert sorted(map(repr, streamed.results)) == whole_graph_results(shared[suffix], fmt)


def test_turtle_from_another_tool_is_read_with_its_prefixes_blank_nodes_and_lists(tmp_path,
                                                                                  bundled):
    """rdflib's own Turtle of the bundled trials (other prefixes, other layout, no record
    comments), with a nested blank node, a list and a broken value added to one trial."""
    graph = rdflib.Graph().parse(bundled["nt"], format="nt")
    trial = rdflib.URIRef("https://w3id.org/ctkg/id/trial/NCT00698191")
    arm = next(graph.subjects(rdflib.RDF.type,
                              rdflib.URIRef("https://w3id.org/ctkg/vocab#ArmGroup")))
    extra = f"""
        @prefix ex: <https://example.org/> .
        @prefix schema: <https://schema.org/> .
        <{trial}> ex:note [ ex:inner [ ex:value "deep" ] ; ex:items ( "a" "b" ) ] .
        <{arm}> schema:name "a second label" .
    """
    graph.parse(data=extra, format="turtle")
    path = tmp_path / "other.ttl"
    graph.serialize(path, format="turtle")
    assert b"# NCT" not in path.read_bytes()
    streamed = run_validation([str(path)], base="", workers=1)
    assert streamed.violations > 0, "the arm's second label is found"
    assert sorted(map(repr, streamed.results)) == whole_graph_results(path, "turtle")


def test_loading_ntriples_turtle_or_jsonld_stores_what_loading_nquads_stores(tmp_path, bundled):
    store = str(tmp_path / "store")
    kg("load", str(bundled["nq"]), "--store", store, check=True)
    for suffix in ("nt", "ttl", "jsonld"):
        done = kg("load", str(bundled[suffix]), "--store", store, check=True)
        assert "unchanged" in done.stderr and "added" not in done.stderr, (suffix, done.stderr)


TOKENS = st.sampled_from(['<https://e/s>', '<https://e/p>', '<a b>', '_:b', '"x"', '"a\\"b"',
                          '"a"b"', '"\\u00e9"', '"\\U0001F600"', '"\\U00110000"', '"\\q"',
                          '"x"@en', '"x"@en-', '"x"@1', '"x"^^<https://e/t>', '"x"^^<>', '<g:h>',
                          '.', '', '"é€"', '\\', '"', '"\\uD800"', '"\\\\"', '<1a:b>', '<a:\x7f>'])


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.lists(TOKENS, max_size=6).map(" ".join), max_size=5),
       noise=st.text(max_size=20))
def test_the_c_line_splitter_gives_the_python_references_answer(lines, noise):
    for text in ("\n".join(lines), "\n".join(lines) + "\n" + noise,
                 "\n".join(f"{line} ." for line in lines)):
        assert strict_triples(text) == reference_triples(text)


def test_the_c_line_splitter_reads_kgs_exports_as_the_reference_does(bundled):
    for block in graph_blocks(bundled["nq"]):
        text = block.data.decode()
        assert strict_triples(text) == reference_triples(text) is not None
    assert strict_triples is not reference_triples, "the C extension is built"


def test_a_record_comment_alone_does_not_make_turtle_kgs(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text("# NCT00000001\n<https://e/s> <https://e/p> [ <https://e/q> 1 ] .\n")
    assert list(trial_blocks(path)) == []  # Oxigraph's parse: no trial in it


def test_an_nt_file_of_another_tool_is_read_by_oxigraph(tmp_path, bundled):
    path = tmp_path / "other.nt"
    quads = list(ox.parse(path=str(bundled["nt"]), format=ox.RdfFormat.N_TRIPLES))
    path.write_bytes(b"# written by another tool\n" + ox.serialize(
        reversed(quads), format=ox.RdfFormat.N_TRIPLES))
    streamed = run_validation([str(path)], base="", workers=1)
    assert streamed.trials == len(list(graph_blocks(bundled["nq"])))
    assert sorted(map(repr, streamed.results)) == whole_graph_results(path, "nt")


def test_a_broken_record_of_kgs_turtle_is_one_line_and_exit_2(tmp_path, bundled):
    text = bundled["ttl"].read_text()
    broken = tmp_path / "broken.ttl"
    broken.write_text(text.replace(" a schema:MedicalStudy", " a schema:MedicalStudy ; {", 1))
    done = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(broken), "-w", "2"],
                          capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "not valid turtle" in done.stderr and "Traceback" not in done.stderr
    loaded = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(broken), "--store",
                             str(tmp_path / "store"), "-w", "2"], capture_output=True, text=True)
    assert loaded.returncode in (1, 2) and "cannot read as RDF" in loaded.stderr, loaded.stderr
