"""The one table of RDF file formats kg reads: a file's suffix to its format.

``kg validate``, ``kg load``, ``kg query --data``, ``kg enrich``, ``kg link`` and ``kg serve``
all ask :func:`rdf_format_of`; an input it names no format for is a record file (for the
readers of :mod:`kg.sources.readers`).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox


class RdfFileFormat(NamedTuple):
    name: str  # as errors name it, and rdflib's name for its parser
    oxigraph: ox.RdfFormat

    @property
    def has_graphs(self) -> bool:
        """Whether the format names graphs (N-Quads, TriG), so that a trial's graph is said."""
        return self.oxigraph.supports_datasets


RDF_FORMATS: dict[str, RdfFileFormat] = {
    ".nq": RdfFileFormat("nquads", ox.RdfFormat.N_QUADS),
    ".nt": RdfFileFormat("nt", ox.RdfFormat.N_TRIPLES),
    ".ttl": RdfFileFormat("turtle", ox.RdfFormat.TURTLE),
    ".jsonld": RdfFileFormat("json-ld", ox.RdfFormat.JSON_LD),
    ".trig": RdfFileFormat("trig", ox.RdfFormat.TRIG),
}


def rdf_format_of(path: str | Path) -> RdfFileFormat | None:
    """The RDF format a file's name says, or None for a file that is not RDF (a record)."""
    return RDF_FORMATS.get(Path(path).suffix.lower())
