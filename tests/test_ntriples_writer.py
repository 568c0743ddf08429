"""The compiled N-Triples writer (kg/serialize/c/writer.c) against the Python reference writer.

The compiled one is what exports use; the reference is the definition: for any triples both
must give the same text, byte for byte, or files would change with the build. The module is
imported without a skip: a build that failed fails here.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.mapping import map_record
from kg.rdf import XSD_DATE, XSD_INTEGER, XSD_STRING, Literal, text
from kg.serialize import _lines, ntriples
from kg.serialize.ntriples import reference_lines
from tests.conftest import EXAMPLE, ROOT, shared_records

TAILS = (" .\n", " <https://w3id.org/ctkg/id/trial/NCT00000001> .\n")


def test_exports_use_the_compiled_writer():
    assert ntriples.lines is _lines.lines


@pytest.mark.parametrize("tail", TAILS)
def test_both_writers_give_the_same_text_for_the_bundled_records(tail):
    paths = [EXAMPLE, *sorted((ROOT / "tests" / "fixtures").glob("NCT*.json"))]
    for path in paths:
        triples = map_record(orjson.loads(path.read_bytes())).triples
        assert _lines.lines(triples, tail) == reference_lines(triples, tail), path.name


def test_both_writers_give_the_same_text_for_every_shared_record():
    paths = shared_records("v2", "v2-partial")
    assert len(paths) > 20
    for path in paths:
        triples = map_record(orjson.loads(path.read_bytes())).triples
        for tail in TAILS:
            assert _lines.lines(triples, tail) == reference_lines(triples, tail), path.name


def test_line_ends_quotes_and_controls_are_escaped_so_one_triple_is_one_line():
    triples = [
        ("https://e.org/a", "https://e.org/p", text('say "hi"\\\n\r\t\x00\x1f\x7f\x85\u2028\u2029é')),
        ("https://e.org/a b<c>", "https://e.org/p", "https://e.org/{x}|^`\\\"é"),
        ("https://e.org/a", "https://e.org/p", Literal("chat", XSD_STRING, "fr")),
        ("https://e.org/a", "https://e.org/p", Literal("2007-03-01", XSD_DATE)),
    ]
    expected = (
        '<https://e.org/a> <https://e.org/p> "2007-03-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        '<https://e.org/a> <https://e.org/p> "chat"@fr .\n'
        '<https://e.org/a> <https://e.org/p> "say \\"hi\\"\\\\\\n\\r\t\\u0000\\u001F\\u007F'
        '\\u0085\\u2028\\u2029é" .\n'
        '<https://e.org/a\\u0020b\\u003Cc\\u003E> <https://e.org/p> '
        '<https://e.org/\\u007Bx\\u007D\\u007C\\u005E\\u0060\\u005C\\u0022é> .\n'
    )
    assert _lines.lines(triples, " .\n") == expected
    assert reference_lines(triples, " .\n") == expected
    assert len(expected.splitlines()) == 4


def test_duplicate_triples_become_one_line_in_code_point_order():
    triples = [("https://e.org/b", "https://e.org/p", text("z")),
               ("https://e.org/é", "https://e.org/p", text("1")),
               ("https://e.org/b", "https://e.org/p", text("z")),
               ("https://e.org/a", "https://e.org/p", Literal("7", XSD_INTEGER))]
    assert _lines.lines(triples, " .\n").splitlines() == [
        '<https://e.org/a> <https://e.org/p> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<https://e.org/b> <https://e.org/p> "z" .',
        '<https://e.org/é> <https://e.org/p> "1" .',
    ]
    assert _lines.lines([], " .\n") == ""


def test_a_malformed_triple_is_refused_with_its_position():
    with pytest.raises(TypeError, match="triple 1: the object is a int"):
        _lines.lines([("https://e.org/a", "https://e.org/p", "https://e.org/o"),
                      ("https://e.org/a", "https://e.org/p", 7)], " .\n")
    with pytest.raises(TypeError, match="triple 0 is not a"):
        _lines.lines([("https://e.org/a", "https://e.org/p")], " .\n")


strings = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
iris = strings.map(lambda tail: "https://e.org/" + tail)
objects = st.one_of(
    iris,
    strings.map(text),
    st.tuples(strings, st.sampled_from([XSD_STRING, XSD_DATE, XSD_INTEGER]), st.none()).map(
        lambda t: Literal(*t)),
    st.tuples(strings, st.sampled_from(["en", "fr-CA", ""])).map(
        lambda t: Literal(t[0], XSD_STRING, t[1])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(iris, iris, objects), max_size=30), st.sampled_from(TAILS))
def test_both_writers_give_the_same_text_for_any_triples(triples, tail):
    triples = triples + triples[:3]  # some duplicates
    assert _lines.lines(triples, tail) == reference_lines(triples, tail)
