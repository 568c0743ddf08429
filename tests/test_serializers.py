"""Writers produce RDF that parses back to exactly the mapped triples, byte-stable across runs."""

from __future__ import annotations

import gzip
import io

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.mapping import MappedRecord, map_record
from kg.pipeline.outputs import FormatStream, encode_block
from kg.rdf import XSD_DATE, Literal, to_rdflib
from kg.serialize import FORMATS


def render(fmt: str, records: list[MappedRecord], compression: str | None = None) -> str:
    out = io.BytesIO()
    stream = FormatStream(fmt, out, compression)
    for record in records:
        stream.write(encode_block(FORMATS[fmt].render(record), compression))
    stream.close()
    data = out.getvalue()
    return (gzip.decompress(data) if compression == "gz" else data).decode()


RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "nquads": "nquads"}
WHOLE_DOCUMENT_FORMATS = sorted(RDFLIB_FORMAT)


def parsed(fmt: str, text: str) -> rdflib.Graph:
    if fmt == "nquads":
        dataset = rdflib.Dataset()
        dataset.parse(data=text, format="nquads")
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=text, format=RDFLIB_FORMAT[fmt])


def awkward_record(reference_record: dict) -> MappedRecord:
    """The reference trial plus text that needs every escape Turtle and N-Triples have."""
    mapped = map_record(reference_record)
    trial = mapped.trial
    odd = [
        (trial, "https://w3id.org/ctkg/vocab#keyword", Literal('quote " back\\slash\nnew\rline\ttab')),
        (trial, "https://w3id.org/ctkg/vocab#keyword", Literal("ünïcødé ≥ 1g \x07 bell")),
        (trial, "https://w3id.org/ctkg/vocab#keyword", Literal("English", language="en")),
        (trial, "https://w3id.org/ctkg/vocab#startDate", Literal("2007-03-01", XSD_DATE)),
        (trial, "https://schema.org/url", "https://example.org/a%20b?x=1&y=(2)"),
    ]
    return mapped._replace(triples=mapped.triples + odd)


@pytest.mark.parametrize("fmt", WHOLE_DOCUMENT_FORMATS)
def test_output_parses_back_to_the_mapped_triples(reference_record, fmt):
    record = awkward_record(reference_record)
    assert isomorphic(parsed(fmt, render(fmt, [record])), to_rdflib(record.triples))


@pytest.mark.parametrize("fmt", ["ntriples", "nquads", "turtle"])
def test_output_parses_with_oxigraph_too(reference_record, fmt):
    record = awkward_record(reference_record)
    oxi_format = {"ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
                  "nquads": pyoxigraph.RdfFormat.N_QUADS,
                  "turtle": pyoxigraph.RdfFormat.TURTLE}[fmt]
    quads = list(pyoxigraph.parse(render(fmt, [record]).encode(), oxi_format))
    assert len(quads) == len(set(record.triples))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_is_byte_identical_whatever_the_triple_order(reference_record, fmt):
    record = map_record(reference_record)
    shuffled = record._replace(triples=list(reversed(record.triples)))
    assert render(fmt, [record]) == render(fmt, [shuffled])


def test_nquads_put_each_trial_in_its_own_named_graph(reference_record):
    text = render("nquads", [map_record(reference_record)])
    assert all(line.endswith(" <https://w3id.org/ctkg/id/trial/NCT00698191> .")
               for line in text.splitlines())


def test_jsonld_is_compact_with_the_local_context(reference_record):
    import json

    document = json.loads(render("jsonld", [map_record(reference_record)]))
    assert document["@context"]["@vocab"] == "https://schema.org/"
    trial = next(n for n in document["@graph"]
                 if n["@id"] == "https://w3id.org/ctkg/id/trial/NCT00698191")
    assert trial["@type"] == ["MedicalStudy", "MedicalTrial"]
    assert trial["kg:enrollment"] == 20
    assert trial["kg:startDate"] == {"@value": "2007-03", "@type": "xsd:gYearMonth"}


def test_json_lines_hold_one_document_per_trial(reference_record):
    import json

    first = map_record(reference_record)
    other = copy_with_id(reference_record, "NCT00000002")
    lines = render("jsonl", [first, other]).splitlines()
    assert len(lines) == 2
    graphs = [rdflib.Graph().parse(data=line, format="json-ld") for line in lines]
    assert isomorphic(graphs[0], to_rdflib(first.triples))
    assert json.loads(lines[1])["@context"]["kg"] == "https://w3id.org/ctkg/vocab#"


def test_two_trials_in_one_jsonld_document_keep_every_node(reference_record):
    first = map_record(reference_record)
    other = copy_with_id(reference_record, "NCT00000002")
    graph = parsed("jsonld", render("jsonld", [first, other]))
    assert isomorphic(graph, to_rdflib(first.triples + other.triples))


def copy_with_id(record: dict, nct_id: str) -> MappedRecord:
    import copy

    record = copy.deepcopy(record)
    record["protocolSection"]["identificationModule"]["nctId"] = nct_id
    return map_record(record)


def test_a_compressed_output_is_one_stream_of_blocks_compressed_where_rendered(reference_record):
    """Each block is its own gzip member (compressed in the worker that rendered it); the file
    reads back as the same document, and as the same bytes from run to run."""
    record = map_record(reference_record)
    plain = render("turtle", [record, record])
    assert render("turtle", [record, record], "gz") == plain
    out = io.BytesIO()
    stream = FormatStream("turtle", out, "gz")
    stream.write(encode_block(FORMATS["turtle"].render(record), "gz"))
    stream.close()
    assert out.getvalue().count(b"\x1f\x8b\x08") >= 2  # the header and the block, each a member
