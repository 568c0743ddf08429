"""One trial's triples, indexed for the checks, and the literal forms the engine is sure of.

The engine reads the mapping's own terms (an IRI is a ``str``, a literal a
:class:`kg.rdf.Literal`, a blank node of a file a :class:`BlankNode`) and never builds rdflib
objects. What pySHACL decides through rdflib's literal handling (well-formedness, the
normalised lexical form, comparisons) the engine decides only where the answer is certain:
every typed literal must be in the canonical form rdflib keeps unchanged. A trial holding any
other typed literal (``"01"^^xsd:integer``, ``"1e5"^^xsd:decimal``, a dateTime with a time
zone) is :class:`Uncertain`, and the caller hands it whole to an engine that reads literals
through rdflib, so the results stay exactly the reference's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from kg.rdf import RDF_TYPE, XSD, XSD_STRING, Literal
from kg.serialize.compiled import INDEX, compiled

_index = compiled(INDEX, "index")  # None where not built: the reference split and index

RDFS_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_EMPTY: dict = {}


class Uncertain(Exception):
    """The engine cannot be sure it decides as pySHACL would; another engine must decide."""


class BlankNode(str):
    """A blank node of a file being validated (kg's own graphs have none)."""


def _valid_date(lexical: str) -> bool:
    try:
        date(int(lexical[:4]), int(lexical[5:7]), int(lexical[8:10]))
    except ValueError:
        return False
    return lexical[:4] != "0000"


def _valid_datetime(lexical: str) -> bool:
    try:
        datetime(int(lexical[:4]), int(lexical[5:7]), int(lexical[8:10]), int(lexical[11:13]),
                 int(lexical[14:16]), int(lexical[17:19]))
    except ValueError:
        return False
    return lexical[:4] != "0000"


_INTEGER = re.compile(r"0|-?[1-9][0-9]*", re.ASCII)
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}", re.ASCII)

# Datatype -> the test that a lexical form is one rdflib reads as well-formed and keeps as it
# is. rdflib has no value for gYear and gYearMonth: it keeps every lexical form and calls none
# ill-typed, so those need no test (tests/test_native_engine.py holds each rule to rdflib).
CANONICAL = {
    XSD + "integer": lambda s: _INTEGER.fullmatch(s) is not None,
    XSD + "decimal": lambda s: _DECIMAL.fullmatch(s) is not None,
    XSD + "boolean": lambda s: s in ("true", "false"),
    XSD + "date": lambda s: _DATE.fullmatch(s) is not None and _valid_date(s),
    XSD + "dateTime": lambda s: _DATETIME.fullmatch(s) is not None and _valid_datetime(s),
}


def _rdflib_typed() -> frozenset[str]:
    """Datatypes rdflib converts to Python values (and may normalise or call ill-typed)."""
    from rdflib.term import XSDToPython

    return frozenset(str(d) for d, convert in XSDToPython.items() if d and convert is not None)


_READ_BY_RDFLIB = _rdflib_typed()


class DataGraph:
    """Triples indexed by subject then predicate; other lookups (by predicate, by object, by
    class) are built from that index when first asked, except the (subject, object) pairs of
    the ``indexed`` predicates, which are gathered as the triples are read: the checks ask for
    the same few predicates of every trial (targets, inverse paths), and one pass costs less
    than a scan of every subject for each. The triples must be distinct (the mapping's are; a
    file's are made so by the caller)."""

    __slots__ = ("spo", "_by_predicate", "_reverse", "_instances", "subclasses")

    def __init__(self, triples: Iterable[tuple], indexed: frozenset[str] = frozenset()) -> None:
        spo: dict[str, dict[str, list]] = {}
        by_predicate: dict[str, list[tuple]] = {p: [] for p in indexed}
        typed = []
        for s, p, o in triples:
            predicates = spo.get(s)
            if predicates is None:
                spo[s] = {p: [o]}
            else:
                values = predicates.get(p)
                if values is None:
                    predicates[p] = [o]
                else:
                    values.append(o)
            if p in indexed:
                by_predicate[p].append((s, o))
            if type(o) is Literal and o[1] != XSD_STRING:
                typed.append(o)
        self._set(spo, by_predicate, typed)

    @classmethod
    def from_lines(cls, data: bytes, indexed: frozenset[str] = frozenset()) -> DataGraph | None:
        """The index of one trial's N-Quads or N-Triples lines as ``kg export`` writes them
        (sorted, so each triple once), built in C from the bytes without a tuple per triple;
        None where the lines are not in that form or not sorted (the caller then splits them
        and drops duplicates), or where the C extension is not built."""
        if _index is None:
            return None
        by_predicate: dict[str, list[tuple]] = {p: [] for p in indexed}
        found = _index(data, Literal, by_predicate)
        if found is None:
            return None
        graph = cls.__new__(cls)
        graph._set(found[0], by_predicate, found[1])
        return graph

    def _set(self, spo: dict, by_predicate: dict, typed: list) -> None:
        for literal in typed:
            if literal not in _CHECKED:
                _check_literal(literal)
        self.spo = spo
        self._by_predicate = by_predicate
        self._reverse: dict[str, dict] = {}
        self._instances: dict[str, list] | None = None
        self.subclasses = bool(self.pairs(RDFS_SUBCLASS_OF))

    def values(self, node: str, predicate: str) -> list:
        return self.spo.get(node, _EMPTY).get(predicate, [])

    def pairs(self, predicate: str) -> list[tuple]:
        """Every (subject, object) of a predicate."""
        found = self._by_predicate.get(predicate)
        if found is None:
            found = self._by_predicate[predicate] = [
                (s, o) for s, predicates in self.spo.items() for o in predicates.get(predicate, ())]
        return found

    def asked(self) -> frozenset[str]:
        """The predicates whose pairs have been asked for (or gathered) so far."""
        return frozenset(self._by_predicate)

    def subjects(self, predicate: str, obj) -> list:
        """Subjects with ``predicate obj``."""
        reverse = self._reverse.get(predicate)
        if reverse is None:
            reverse = self._reverse[predicate] = {}
            for s, o in self.pairs(predicate):
                reverse.setdefault(o, []).append(s)
        return reverse.get(obj, [])

    def instances(self, cls: str) -> list:
        """SHACL instances of ``cls``: typed with it or with a subclass of it in the data."""
        if self._instances is None:
            self._instances = {}
            for s, o in self.pairs(RDF_TYPE):
                self._instances.setdefault(o, []).append(s)
        if not self.subclasses:
            return self._instances.get(cls, [])
        found = dict.fromkeys(self._instances.get(cls, ()))
        for sub in self._subclasses_of(cls):
            found.update(dict.fromkeys(self._instances.get(sub, ())))
        return list(found)

    def is_instance(self, node, cls: str) -> bool:
        types = self.spo.get(node, _EMPTY).get(RDF_TYPE) if isinstance(node, str) else None
        if not types:
            return False
        if cls in types:
            return True
        return self.subclasses and any(t in self._subclasses_of(cls) for t in types)

    def _subclasses_of(self, cls: str) -> set[str]:
        found: set[str] = set()
        frontier = [cls]
        while frontier:
            for sub in self.subjects(RDFS_SUBCLASS_OF, frontier.pop()):
                if isinstance(sub, str) and sub not in found:
                    found.add(sub)
                    frontier.append(sub)
        return found


# Typed literals already found canonical in this process: counts, dates and decimals recur from
# trial to trial, so most are tested once (a bounded set, as a file may bring any number).
_CHECKED: set[Literal] = set()
_CHECKED_SIZE = 200_000


def _check_literal(literal: Literal) -> None:
    lexical, datatype, language = literal
    if language:
        return
    test = CANONICAL.get(datatype)
    if test is not None:
        if not test(lexical):
            raise Uncertain(f"literal {lexical!r}^^<{datatype}> is not in canonical form")
    elif datatype in _READ_BY_RDFLIB:
        raise Uncertain(f"literal of datatype <{datatype}>, which rdflib reads by value")
    if len(_CHECKED) < _CHECKED_SIZE:
        _CHECKED.add(literal)


def datatype_of(value) -> str | None:
    """A literal's datatype as SPARQL's DATATYPE gives it; None for IRIs and blank nodes."""
    if type(value) is not Literal:
        return None
    return RDF_LANGSTRING if value[2] else value[1]


def text_of(value) -> str:
    """What rdflib's ``str()`` gives for a term (its IRI, label or lexical form)."""
    return value[0] if type(value) is Literal else str(value)
