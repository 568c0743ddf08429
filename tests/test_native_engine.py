"""The native SHACL engine's own rules, each held to what rdflib (pySHACL's engine) does.

The engine decides a trial only where it is sure to decide as pySHACL: these tests pin the
literal forms it trusts to rdflib's reading of them, its SPARQL to rdflib's evaluation of the
same queries, and its refusal of what it does not implement.
"""

from __future__ import annotations

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import XSD

from kg.rdf import XSD_DECIMAL, XSD_INTEGER, Literal
from kg.validation.engine import NativeEngine, Uncertain, Unsupported
from kg.validation.engine.data import CANONICAL, DataGraph
from kg.validation.engine.sparql import compile_select
from kg.validation.engines import _term
from kg.validation.results import shapes_graph
from kg.validation.validate import validate_graph

KG = "https://w3id.org/ctkg/vocab#"
EX = "http://example.org/"

numberish = st.from_regex(r"[+-]?[0-9]{0,4}(\.[0-9]{0,3})?([eE][+-]?[0-9])?", fullmatch=True)
dateish = st.from_regex(r"[0-9]{3,5}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|\.5)?)?",
                        fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(lexical=st.one_of(numberish, dateish, st.sampled_from(["true", "false", "1", "TRUE"])),
       datatype=st.sampled_from(sorted(CANONICAL)))
def test_a_literal_the_engine_trusts_is_one_rdflib_reads_as_well_formed_and_keeps(lexical,
                                                                                  datatype):
    if CANONICAL[datatype](lexical):
        parsed = rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype))
        assert parsed.ill_typed is not True
        assert str(parsed) == lexical


def test_a_trial_with_a_literal_not_in_canonical_form_is_handed_over_and_gets_the_reference_results():
    """rdflib reads "007"^^xsd:integer as 7; the native engine does not guess."""
    graph = rdflib.Graph()
    trial = rdflib.URIRef("https://w3id.org/ctkg/id/trial/NCT00000001")
    graph.add((trial, rdflib.RDF.type, rdflib.URIRef("https://schema.org/MedicalStudy")))
    graph.add((trial, rdflib.URIRef(KG + "enrollment"),
               rdflib.Literal("-007", datatype=XSD.integer, normalize=False)))
    with pytest.raises(Uncertain):
        DataGraph([(_term(s), str(p), _term(o)) for s, p, o in graph])
    assert validate_graph(graph, "NCT00000001", "native") == \
        validate_graph(graph, "NCT00000001", "pyshacl")


def test_every_shape_of_the_project_compiles_into_the_native_engine():
    engine = NativeEngine(shapes_graph())
    assert len(engine.shapes) >= 30
    assert sum(len(shape.sparql) for shape in engine.shapes) >= 10


def test_a_shape_feature_the_engine_does_not_implement_is_refused_not_skipped():
    shapes = rdflib.Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .""")
    with pytest.raises(Unsupported, match="closed"):
        NativeEngine(shapes)


DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:t1 ex:arm ex:a1, ex:a2 ; ex:subject ex:i1 ; ex:start "2007-03"^^xsd:gYearMonth ;
      ex:end "2007-02-15"^^xsd:date ; ex:count 0 ; ex:status ex:Done .
ex:a1 ex:uses ex:i1 . ex:a2 ex:uses ex:i2 .
ex:c1 ex:set ex:p1 ; ex:group ex:g1 ; ex:low 2.5 ; ex:high 1 .
ex:c2 ex:set ex:m1 ; ex:group ex:g2 ; ex:low "NA" ; ex:high 3 .
ex:f1 ex:period ex:p1 ; ex:hasGroup ex:g1 .
ex:m1 ex:hasGroup ex:g3 .
ex:age ex:value 30 ; ex:unit "ANN" . ex:age2 ex:value 400 ; ex:unit "MON" .
"""

QUERIES = [
    # NOT EXISTS over an inverse link (an arm's intervention of the same trial)
    "SELECT $this ?value WHERE { $this ex:uses ?value . ?t ex:arm $this . "
    "FILTER NOT EXISTS { ?t ex:subject ?value } }",
    # a zero-or-one alternative path inside NOT EXISTS (a cell's group declared by its table)
    "SELECT $this ?value ?path WHERE { $this ex:group ?value ; ex:set ?table . "
    "BIND (ex:group AS ?path) FILTER NOT EXISTS { ?scope ex:hasGroup ?value . "
    "?scope (ex:period|ex:measure)? ?table . } }",
    # string functions and comparison (dates of different precision)
    "SELECT $this ?value WHERE { $this ex:start ?value ; ex:end ?end . "
    "BIND (STR(?value) AS ?s) BIND (STR(?end) AS ?e) "
    "BIND (IF(STRLEN(?s) < STRLEN(?e), STRLEN(?s), STRLEN(?e)) AS ?n) "
    "FILTER (SUBSTR(?s, 1, ?n) > SUBSTR(?e, 1, ?n)) }",
    # isNumeric guarding a numeric comparison, with a string value
    "SELECT $this ?value WHERE { $this ex:low ?value ; ex:high ?upper . "
    "FILTER (isNumeric(?value) && isNumeric(?upper) && ?value > ?upper) }",
    # arithmetic and IF chains on units
    "SELECT $this ?value WHERE { $this ex:value ?value ; ex:unit ?u . "
    "BIND (IF(?u = \"ANN\", 12, IF(?u = \"MON\", 1, 0)) AS ?scale) "
    "FILTER (?value * ?scale > 360) }",
    # IN, !=, equality with a number, a sequence path, an inverse path and a path with *
    "SELECT $this ?value WHERE { $this ex:status ?value ; ex:count ?c . "
    "FILTER (?value IN (ex:Done, ex:Other) && ?value != ex:Other && ?c = 0) }",
    "SELECT $this ?value WHERE { $this ex:arm/ex:uses ?value }",
    "SELECT $this ?value WHERE { $this ^ex:arm ?value }",
    "SELECT $this ?value WHERE { $this ex:arm* ?value }",
    "SELECT $this WHERE { $this ex:count ?c FILTER (!(?c > 0) || BOUND(?nothing)) }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_compiled_sparql_query_gives_rdflibs_solutions_for_every_focus_node(query):
    graph = rdflib.Graph().parse(data=DATA, format="turtle")
    select, projected = compile_select(query, {"ex": EX})
    data = DataGraph([(_term(s), str(p), _term(o)) for s, p, o in graph])
    nodes = sorted({_term(s) for s in graph.subjects()} | {_term(o) for o in graph.objects()
                                                          if isinstance(o, rdflib.URIRef)})
    solutions = 0
    for node in nodes:
        expected = {tuple(None if cell is None else _term(cell) for cell in row)
                    for row in graph.query(query, initNs={"ex": EX},
                                           initBindings={"this": rdflib.URIRef(node)})}
        found = {row for focus, row in select(data, [node])}
        assert found == expected, node
        solutions += len(found)
    assert solutions, "the query must find something in the data"


def test_a_comparison_rdflib_might_answer_differently_is_not_guessed():
    from kg.validation.engine.sparql_runtime import compare

    with pytest.raises(Uncertain):
        compare("=", Literal("PHASE9"), KG + "Phase1")
    assert compare(">", Literal("2.5", XSD_DECIMAL), Literal("1", XSD_INTEGER)).lexical == "true"


def test_a_query_outside_the_compiled_subset_is_refused():
    with pytest.raises(Unsupported):
        compile_select("SELECT $this ?v WHERE { OPTIONAL { $this ex:p ?v } }", {"ex": EX})
