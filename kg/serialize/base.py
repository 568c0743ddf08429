"""What every format shares: a header, one rendered block per record, a footer.

Rendering a record is a pure function of the record, so it can run in any worker process and
the blocks can be written later, in input order, by one writer.
"""

from __future__ import annotations

from kg.mapping import MappedRecord
from kg.rdf import Triple


class Format:
    """A serialization: ``header() + sep.join(render(r) for r in records) + footer()``."""

    extension = ""
    separator = ""  # written between two non-empty blocks (JSON-LD's comma)

    def header(self) -> str:
        return ""

    def render(self, mapped: MappedRecord) -> str:
        raise NotImplementedError

    def footer(self) -> str:
        return ""


def sorted_triples(triples: list[Triple]) -> list[Triple]:
    """Subject, predicate, then object by its text: byte-stable whatever the mapping's order."""
    return sorted(triples, key=lambda t: (t[0], t[1], t[2] if isinstance(t[2], str) else
                                          "\x01" + "\x00".join(x or "" for x in t[2])))
