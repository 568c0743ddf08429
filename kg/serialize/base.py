"""What every writer shares: a text stream, and per-record blocks in a stable order."""

from __future__ import annotations

from typing import TextIO

from kg.mapping import MappedRecord
from kg.rdf import Triple


class Writer:
    """Writes a header, one block per mapped record, then a footer."""

    def __init__(self, out: TextIO):
        self.out = out

    def start(self) -> None:
        """Anything that precedes the first record (prefixes, an opening bracket)."""

    def write(self, mapped: MappedRecord) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Anything that follows the last record."""


def sorted_triples(triples: list[Triple]) -> list[Triple]:
    """Subject, predicate, then object by its text: byte-stable whatever the mapping's order."""
    return sorted(triples, key=lambda t: (t[0], t[1], t[2] if isinstance(t[2], str) else
                                          "\x01" + "\x00".join(x or "" for x in t[2])))
