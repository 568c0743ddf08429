"""The prefixes Turtle and JSON-LD share, so both name terms the same way."""

from __future__ import annotations

import re

from kg.rdf import XSD
from kg.vocab import (
    KG_NS,
    MESH_NS,
    OBO_NS,
    QB_NS,
    SCHEMA_NS,
    SDMX_ATTRIBUTE_NS,
    SDMX_MEASURE_NS,
    SEMAPV_NS,
    SKOS_NS,
    SSSOM_NS,
)

PREFIXES = {
    "schema": SCHEMA_NS,
    "kg": KG_NS,
    "xsd": XSD,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "mesh": MESH_NS,
    "qb": QB_NS,
    "sdmx-measure": SDMX_MEASURE_NS,
    "sdmx-attribute": SDMX_ATTRIBUTE_NS,
    "obo": OBO_NS,
    "skos": SKOS_NS,
    "sssom": SSSOM_NS,
    "semapv": SEMAPV_NS,
}

# A local name that Turtle and JSON-LD both accept without escapes.
SAFE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def compact(iri: str) -> str | None:
    """``prefix:local`` for an IRI in a known namespace with a plain local name, else None."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and SAFE_LOCAL.match(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return None
