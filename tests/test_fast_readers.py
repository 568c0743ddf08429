"""The readers that spare a parser: the C index of an export's lines gives the engine exactly
the index it builds from the reference split, and refuses lines that could hold a triple twice;
the C run finder gives the Python reference's answer; kg's Turtle read in C and kg's JSON-LD
expanded without a processor give the triples Oxigraph reads, or refuse; a trial read back from
its place in the file is the trial that was read."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kg.serialize._lines import jsonld, run_end, turtle
from kg.validation.engine._index import index

from kg.mapping import MappedRecord
from kg.rdf import XSD, XSD_STRING, Literal
from kg.serialize import FORMATS
from kg.serialize.jsonld_terms import _context_of, jsonld_lines, jsonld_triples
from kg.serialize.ntriples import lines
from kg.serialize.quads import graph_blocks, reference_run_end, reference_triples
from kg.serialize.trial_blocks import trial_texts
from kg.validation.engine.data import DataGraph

TRICKY = st.text(alphabet=st.sampled_from(list('ab <>"\\@^.#_:\n\t\r\x01\x7f') +
                                          ["\u2028", "\u0085", "é", "€", "😀"]), max_size=10)
LITERALS = st.builds(
    Literal, TRICKY,
    st.sampled_from([XSD_STRING, XSD + "date", "https://e/type"]),
    st.none()) | st.builds(Literal, TRICKY, st.just(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"), st.sampled_from(["en", "de-ch"]))
OBJECTS = LITERALS | st.sampled_from(["https://e/o", "https://e/o/1", "http://id.nlm.nih.gov/mesh/D1"])


def record(triples: list[tuple]) -> MappedRecord:
    return MappedRecord("NCT00000001", "https://e/trial/NCT00000001", triples, [])


def triples_strategy():
    return st.lists(st.tuples(st.sampled_from(["https://e/trial/NCT00000001",
                                               "https://e/trial/NCT00000001/arm/1",
                                               "https://w3id.org/ctkg/vocab#X"]),
                              st.sampled_from(["https://schema.org/name",
                                               "https://w3id.org/ctkg/vocab#p",
                                               "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]),
                              OBJECTS), max_size=12)


def engine_index(text: str) -> dict:
    """DataGraph's index of the reference split's distinct triples (without its literal
    checks, which random literals fail)."""
    spo: dict = {}
    for s, p, o in dict.fromkeys(reference_triples(text)):
        spo.setdefault(s, {}).setdefault(p, []).append(o)
    return spo


# -- the index -------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(triples=triples_strategy(), graph=st.booleans())
def test_the_c_index_of_kgs_lines_is_the_index_the_engine_builds(triples, graph):
    text = FORMATS["nquads" if graph else "ntriples"].render(record(triples))
    built = index(text.encode(), Literal, {})
    assert built is not None, "kg's own writing is always indexed in C"
    spo, typed = built
    assert spo == engine_index(text)
    assert typed == [o for s, p, o in dict.fromkeys(reference_triples(text))
                     if type(o) is Literal and o[1] != XSD_STRING]


@pytest.mark.parametrize("lines", [
    # one triple in two spellings: xsd:string written out, an escape kg does not write
    ['<https://e/s> <https://e/p> "a" .', '<https://e/s> <https://e/p> "a"^^<' + XSD_STRING + "> ."],
    ['<https://e/s> <https://e/p> "A" .', '<https://e/s> <https://e/p> "\\u0041" .'],
    ['<https://e/s> <https://e/p> "\\t" .', '<https://e/s> <https://e/p> "\t" .'],
    ['<https://e/s> <https://e/p> "\\u000a" .', '<https://e/s> <https://e/p> "\\n" .'],
    # one triple in two graphs
    ["<https://e/s> <https://e/p> <https://e/o> <https://e/g1> .",
     "<https://e/s> <https://e/p> <https://e/o> <https://e/g2> ."],
    # not sorted, or a line twice
    ["<https://e/s> <https://e/q> <https://e/o> .", "<https://e/s> <https://e/p> <https://e/o> ."],
    ["<https://e/s> <https://e/p> <https://e/o> .", "<https://e/s> <https://e/p> <https://e/o> ."],
    # not in kg's form
    ["_:b <https://e/p> <https://e/o> ."],
])
def test_lines_that_could_hold_a_triple_twice_are_left_to_the_reference(lines):
    assert index("\n".join(lines).encode() + b"\n", Literal, {}) is None


def test_kgs_exports_are_indexed_in_c_with_the_pairs_the_checks_ask_for(bundled):  # noqa: F811
    predicates = frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                            "https://w3id.org/ctkg/vocab#group"})
    for block in graph_blocks(bundled["nq"]):
        graph = DataGraph.from_lines(block.data, predicates)
        reference = DataGraph(list(dict.fromkeys(reference_triples(block.data.decode()))),
                              predicates)
        assert graph is not None and graph.spo == reference.spo
        assert {p: sorted(map(repr, graph.pairs(p))) for p in predicates} == \
            {p: sorted(map(repr, reference.pairs(p))) for p in predicates}


# -- runs of one graph's lines -----------------------------------------------------------------

LINE = st.sampled_from([
    b"<https://e/s> <https://e/p> <https://e/o> <https://e/g> .\n",
    b'<https://e/s> <https://e/p> "x y" <https://e/g> .\n',
    b"<https://e/s> <https://e/p> <https://e/g> .\n",  # no graph: ends the same way
    b"<https://e/s> <https://e/p> <https://e/o> <https://e/h> .\n",
    b"# a comment <https://e/g> .\n", b"\n", b"<https://e/g> .\n", b"<x> <https://e/g> .\n",
])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINE, max_size=8), start=st.integers(0, 3), cut=st.integers(0, 40))
def test_the_c_run_finder_gives_the_python_references_answer(lines, start, cut):
    buffer = b"".join(lines)
    begin = len(b"".join(lines[:start]))
    limit = max(begin, len(buffer) - cut)
    suffix = b" <https://e/g> .\n"
    assert run_end(buffer, begin, suffix, limit) == reference_run_end(buffer, begin, suffix,
                                                                      limit)


# -- kg's Turtle and JSON-LD ---------------------------------------------------------------------

def oxigraph_triples(text: bytes, fmt: ox.RdfFormat) -> set:
    return {quad.triple for quad in ox.parse(text, format=fmt)}


def kg_lines(triples: list[tuple]) -> bytes:
    return FORMATS["ntriples"].render(record(triples)).encode()


def written(fmt: str, triples: list[tuple]) -> bytes:
    writer = FORMATS[fmt]
    return (writer.header() + writer.render(record(triples)) + writer.footer()).encode()


TYPED = st.lists(st.tuples(
    st.just("https://e/trial/NCT00000001"), st.sampled_from(["https://schema.org/name",
                                                             "https://w3id.org/ctkg/vocab#p"]),
    OBJECTS | st.builds(Literal, st.integers(-10**6, 10**6).map(str), st.just(XSD + "integer"),
                        st.none())
    | st.builds(Literal, st.sampled_from(["true", "false"]), st.just(XSD + "boolean"),
                st.none())), min_size=1, max_size=10)


@settings(max_examples=300, deadline=None)
@given(triples=TYPED)
def test_kgs_turtle_read_in_c_gives_the_triples_oxigraph_reads(triples):
    text = written("turtle", triples)
    read = turtle(text, b" .\n")
    assert read == kg_lines(triples), "the bytes kg export -f ntriples writes"
    assert oxigraph_triples(read, ox.RdfFormat.N_TRIPLES) == \
        oxigraph_triples(text, ox.RdfFormat.TURTLE)


@pytest.mark.parametrize("statement", [
    "<https://e/s>\n    <https://e/p> [ <https://e/q> 1 ] .\n",   # a blank node
    "<https://e/s>\n    <https://e/p> ( 1 2 ) .\n",               # a list
    '<https://e/s>\n    <https://e/p> """long""" .\n',            # a long string
    "<https://e/s>\n    <https://e/p> 1.5 .\n",                   # a decimal
    "<https://e/s>\n    <https://e/p> <o> .\n",                   # a relative IRI
    "<https://e/s>\n    <https://e/p> ex:a.b .\n",                # a local name with a dot
    "@base <https://e/> .\n",
    "<https://e/s> <https://e/p> <https://e/o> .\n",              # another layout
    "<https://e/s>\n    <https://e/p> undeclared:x .\n",
])
def test_turtle_outside_kgs_form_is_left_to_oxigraph(statement):
    assert turtle(b"@prefix ex: <https://e/x#> .\n\n" + statement.encode(), b" .\n") is None


@settings(max_examples=300, deadline=None)
@given(triples=TYPED)
def test_kgs_jsonld_expanded_without_a_processor_gives_the_triples_oxigraph_reads(triples):
    text = written("jsonld", triples)
    expanded = jsonld_triples(text)
    assert expanded is not None
    read = lines(expanded, " .\n").encode()
    assert read == kg_lines(triples), "the bytes kg export -f ntriples writes"
    assert oxigraph_triples(read, ox.RdfFormat.N_TRIPLES) == \
        oxigraph_triples(text, ox.RdfFormat.JSON_LD)
    assert in_c(compact(text)) == read, "C reads what the reference reads"


def compact(document: bytes) -> bytes:
    """A JSON-LD document as a record reaches a worker (orjson's compact form)."""
    return orjson.dumps(orjson.loads(document))


def in_c(document: bytes) -> bytes | None:
    """The C reader's answer alone (jsonld_lines falls back to Python where it refuses)."""
    at = document.find(b',"@graph":')
    context = _context_of(document[:at])
    return None if context is None else \
        jsonld(document[at + 10:-1], context[0], context[1], b" .\n")


@pytest.mark.parametrize("node", [
    '{"@id":"https://e/s","name":"\\u00e9\\ud83d\\ude00\\/\\n\\"\\\\\\t\\u0001"}',
    '{"@id":"https://e/s","@type":["Thing","kg:X"],"kg:n":[1,-20,true],"name":[]}',
    '{"@id":"mesh:D1","schema:url":{"@id":"https://e/x"},'
    '"d":{"@value":"2020-01","@type":"xsd:gYearMonth"},"t":{"@value":"x","@language":"en-gb"}}',
    '{ "@id" : "https://e/s" , "name" : [ "a" , "b" ] }',
])
def test_the_c_jsonld_reader_gives_the_references_triples(node):
    document = (b'{"@context":{"@vocab":"https://schema.org/","kg":"https://w3id.org/ctkg/vocab#",'
                b'"mesh":"http://id.nlm.nih.gov/mesh/","xsd":"http://www.w3.org/2001/XMLSchema#"},'
                b'"@graph":[' + node.encode() + b"]}")
    expected = lines(jsonld_triples(document), " .\n").encode()
    assert in_c(document) == expected
    assert oxigraph_triples(expected, ox.RdfFormat.N_TRIPLES) == \
        oxigraph_triples(document, ox.RdfFormat.JSON_LD), "as Oxigraph reads it"


@pytest.mark.parametrize("node", [
    '{"@id":"https://e/s","name":"a","name":"b"}',            # a key twice: the last counts
    '{"name":"a","@id":"https://e/s"}',                       # @id not first
    '{"@id":"https://e/s","n":-0}',
    '{"@id":"https://e/s","n":{"@language":"en","@value":"x"}}',
])
def test_what_the_c_jsonld_reader_refuses_the_reference_reads(node):
    document = b'{"@context":{"@vocab":"https://e/"},"@graph":[' + node.encode() + b"]}"
    assert in_c(document) is None
    assert jsonld_lines(document, b" .\n") == lines(jsonld_triples(document), " .\n").encode()


@pytest.mark.parametrize("document", [
    '{"@context": {"@vocab": "https://e/", "p": {"@id": "https://e/p", "@type": "@id"}}, '
    '"@graph": [{"@id": "https://e/s", "p": "o"}]}',                     # a term definition
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "https://e/s", '
    '"p": {"q": 1}}]}',                                                   # a nested node
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "https://e/s", "p": null}]}',
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "https://e/s", "p": 1.5}]}',
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "s", "p": 1}]}',  # relative
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "_:b", "p": 1}]}',
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "https://e/s", '
    '"p": {"@value": "x", "@language": "EN"}}]}',
    '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@id": "https://e/s", '
    '"p": {"@list": [1]}}]}',
    '{"@context": "https://schema.org/", "@graph": []}',                  # a remote context
    "not json",
])
def test_jsonld_outside_kgs_kind_is_left_to_oxigraph(document):
    assert jsonld_triples(document.encode()) is None
    assert jsonld_lines(compact(document.encode()) if document != "not json" else b"x",
                        b" .\n") is None


# -- trials read back from their place in the file ---------------------------------------------

@pytest.mark.parametrize("suffix", ["nq", "nt", "ttl"])
def test_a_worker_reading_a_trial_from_its_place_in_the_file_reads_that_trial(bundled, suffix):  # noqa: F811
    texts = list(trial_texts(bundled[suffix]))
    assert texts and all(text.span is not None for text in texts)
    for text in texts:
        assert text.sendable().data == b""
        assert text.sendable().block() == text.block()
        assert text.sendable().lines() == text.lines()


def test_a_last_line_without_its_line_end_is_read_but_not_from_its_place(tmp_path,
                                                                          bundled):  # noqa: F811
    for suffix in ("nq", "nt"):
        path = tmp_path / f"cut.{suffix}"
        path.write_bytes(bundled[suffix].read_bytes().rstrip(b"\n"))
        texts = list(trial_texts(path))
        assert texts[-1].span is None and texts[-1].block() == \
            list(trial_texts(bundled[suffix]))[-1].block()._replace(span=None)


# -- bytes that are not RDF at all ------------------------------------------------------------

NOISE = st.binary(max_size=300) | st.text(
    alphabet=st.sampled_from(list('<>"\\{}[],:@^_ .\n#\tau0-9') + ["é"]), max_size=200
).map(str.encode)


@settings(max_examples=500, deadline=None)
@given(data=NOISE)
def test_the_c_readers_answer_none_or_lines_for_any_bytes_and_never_crash(data):
    for text in (data, b"@prefix ex: <https://e/x#> .\n\n" + data,
                 b"<https://e/s>\n    <https://e/p> " + data):
        found = turtle(text, b" .\n")
        assert found is None or found.endswith(b" .\n") or found == b""
    for nodes in (data, b"[" + data + b"]", b'[{"@id":"https://e/s","p":' + data + b"}]"):
        found = jsonld(nodes, ((b"ex", b"https://e/x#"),), b"https://e/", b" .\n")
        assert found is None or found.endswith(b" .\n") or found == b""
    assert index(data, Literal, {}) is None or isinstance(index(data, Literal, {}), tuple)
    assert run_end(data, 0, b" <https://e/g> .\n", len(data)) == \
        reference_run_end(data, 0, b" <https://e/g> .\n", len(data))


def test_a_trial_that_is_not_utf8_is_one_line_naming_it_and_exit_2(tmp_path, bundled):  # noqa: F811
    lines = bundled["nq"].read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"', b'"\x82', 1) if b'"' in lines[3] else lines[3] + b"\x82"
    broken = tmp_path / "broken.nq"
    broken.write_bytes(b"\n".join(lines))
    for workers in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(broken), "-w",
                               workers], capture_output=True, text=True)
        assert done.returncode == 2, done.stderr
        assert "not UTF-8" in done.stderr and "trial NCT" in done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
