"""Reading N-Quads a graph at a time as bytes (kg.serialize.quads) gives exactly the quads Oxigraph reads,
whether the lines are in the form kg writes or any other valid N-Quads."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.rdf import XSD_STRING, Literal
from kg.serialize.quads import QuadsError, as_ntriples, graph_blocks, graph_of

TRICKY = st.text(alphabet=st.sampled_from(list('ab <>"\\@^.#_:\n\t') + ["\u2028", "é"]),
                 max_size=12)


def quads_of(data: bytes) -> set:
    return set(ox.parse(data, ox.RdfFormat.N_QUADS))


@settings(max_examples=150, deadline=None)
@given(literals=st.lists(TRICKY, min_size=1, max_size=6), language=st.booleans())
def test_every_graph_block_holds_exactly_the_quads_oxigraph_reads_in_that_graph(
        tmp_path_factory, literals, language):
    quads = []
    for n, text in enumerate(literals):
        graph = ox.NamedNode(f"https://example.org/trial/NCT0000000{n % 2}")
        obj = ox.Literal(text, language="en") if language else ox.Literal(text)
        quads.append(ox.Quad(ox.NamedNode(f"https://example.org/s{n}"),
                             ox.NamedNode("https://example.org/p"), obj, graph))
        quads.append(ox.Quad(ox.NamedNode(f"https://example.org/s{n}"),
                             ox.NamedNode("https://example.org/q"),
                             ox.NamedNode("https://example.org/o"), graph))
    quads.sort(key=lambda q: q.graph_name.value)  # graphs together, as kg export writes them
    path = tmp_path_factory.mktemp("quads") / "x.nq"
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
                     + b"# a comment\n\n<https://example.org/d> <https://example.org/p> \"x\" .\n")
    blocks = list(graph_blocks(path))
    assert {b.graph for b in blocks} == {q.graph_name.value for q in quads}
    for block in blocks:
        assert quads_of(block.data) == {q for q in quads
                                                   if q.graph_name.value == block.graph}


def test_lines_kg_writes_take_the_fast_path_and_others_do_not():
    assert graph_of(b'<https://e/s> <https://e/p> "a <x> ." <https://e/g> .\n') == b"https://e/g"
    assert graph_of(b'<https://e/s> <https://e/p> "x"@en <https://e/g> .\n') == b"https://e/g"
    assert graph_of(b"<https://e/s> <https://e/p> <https://e/o> .\n") is None  # no graph
    assert graph_of(b'<https://e/s> <https://e/p> "x"^^<https://e/d> .\n') is None
    assert graph_of(b"_:b <https://e/p> <https://e/o> <https://e/g> .\n") is None
    assert graph_of(b"<https://e/s>\t<https://e/p> <https://e/o> <https://e/g> .\n") is None


def test_a_graph_whose_quads_are_not_together_is_an_error(tmp_path):
    path = tmp_path / "split.nq"
    path.write_bytes(b"<https://e/s> <https://e/p> <https://e/o> <https://e/g1> .\n"
                     b"<https://e/s> <https://e/p> <https://e/o> <https://e/g2> .\n"
                     b"<https://e/s> <https://e/q> <https://e/o> <https://e/g1> .\n")
    with pytest.raises(QuadsError, match="not together"):
        list(graph_blocks(path))


def test_a_line_that_is_not_n_quads_names_its_file_and_line(tmp_path):
    path = tmp_path / "bad.nq"
    path.write_bytes(b"<https://e/s> <https://e/p> <https://e/o> <https://e/g> .\nnot rdf\n")
    with pytest.raises(QuadsError, match="bad.nq: line 2"):
        list(graph_blocks(path))


def test_a_graphs_triples_are_its_quads_without_the_graph():
    nquads = (b'<https://e/s> <https://e/p> "x" <https://e/g> .\n'
              b"<https://e/s> <https://e/q> <https://e/o> <https://e/g> .\n")
    triples = {q.triple for q in ox.parse(as_ntriples("https://e/g", nquads),
                                          ox.RdfFormat.N_TRIPLES)}
    assert triples == {q.triple for q in quads_of(nquads)}


def test_a_triple_of_the_default_graph_among_a_graphs_lines_is_not_loaded_into_it(tmp_path):
    """``<s> <p> <g> .`` ends like a line of graph g, but has no graph."""
    path = tmp_path / "mixed.nq"
    path.write_bytes(b"<https://e/s> <https://e/p> <https://e/o> <https://e/g> .\n"
                     b"<https://e/s> <https://e/p> <https://e/g> .\n"
                     b"<https://e/s> <https://e/q> <https://e/o> <https://e/g> .\n")
    (block,) = graph_blocks(path)
    assert block.triples == 2 and b"<https://e/p> <https://e/g> .\n" not in block.data


@settings(max_examples=200, deadline=None)
@given(literals=st.lists(TRICKY, min_size=1, max_size=5), language=st.booleans(),
       typed=st.booleans(), graph=st.booleans())
def test_the_strict_reader_gives_oxigraphs_triples_or_leaves_the_text_to_oxigraph(
        literals, language, typed, graph):
    """On kg's writing and on Oxigraph's of the same triples, the strict reader's triples are
    Oxigraph's parse of the text, term for term, whenever it reads the text at all; kg's own
    writing it always reads."""
    from kg.mapping import MappedRecord
    from kg.serialize import FORMATS
    from kg.serialize.quads import strict_triples

    datatype = "https://e/type" if typed else XSD_STRING
    triples = []
    for n, text in enumerate(literals):
        obj = Literal(text, datatype, "en" if language and not typed else None)
        triples += [(f"https://e/s{n}", "https://e/p", obj),
                    (f"https://e/s{n}", "https://e/q", "https://e/o")]
    record = MappedRecord("NCT00000001", "https://e/trial/NCT00000001", triples, [])
    ours = FORMATS["nquads" if graph else "ntriples"].render(record)
    theirs = ox.serialize([ox.Quad(ox.NamedNode(s), ox.NamedNode(p), _oxigraph_term(o))
                           for s, p, o in triples], format=ox.RdfFormat.N_QUADS).decode()
    for text in (ours, theirs):
        read = strict_triples(text)
        expected = [(q.subject.value, q.predicate.value, _kg_term(q.object))
                    for q in ox.parse(text.encode(), ox.RdfFormat.N_QUADS)]
        if read is not None:
            assert sorted(map(repr, read)) == sorted(map(repr, expected))
    assert strict_triples(ours) is not None, "kg's own output takes the strict reader"


def _oxigraph_term(term):
    if isinstance(term, str):
        return ox.NamedNode(term)
    if term.language:
        return ox.Literal(term.lexical, language=term.language)
    return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))


def _kg_term(term):
    if isinstance(term, ox.Literal):
        return Literal(term.value, term.datatype.value, term.language)
    return term.value


@pytest.mark.parametrize("line", [
    '_:b0 <https://e/p> "x" .',                      # a blank node: kg writes none
    '<https://e/s> <https://e/p> "a"b" .',           # a quote not escaped
    '<https://e/s> <https://e/p> "a\\qb" .',         # an escape N-Triples does not have
    '<https://e/s> <https://e/p> "x"^^<not an iri> .',
    '<https://e/s>  <https://e/p> "x" .',            # two spaces
    '<https://e/s> <https://e/p> "x" .\r',           # a CRLF line end
])
def test_the_strict_reader_hands_text_not_in_kgs_form_to_oxigraph(line):
    from kg.serialize.quads import strict_triples

    assert strict_triples('<https://e/s> <https://e/p> <https://e/o> .\n' + line + "\n") is None
