"""schema.org JSON-LD for web pages: one document per trial, rooted at the trial.

A page describing a trial embeds one ``MedicalTrial`` that harvesters read as a tree: the trial
at the root, its sponsor, conditions, interventions, sites and citations nested inside. So a
node is nested where it is first reached from the trial, and later references to it are
``{"@id": ...}``; a node nothing points to but that points to a node already placed (a results
cell points to its table) is nested under that node through ``@reverse``; whatever is left
(nothing, in kg's graphs) goes to ``@included``.

The context is ``"https://schema.org"`` followed by a block of kg's own: schema.org's context
maps its terms to ``http://schema.org/`` and coerces dates to ``schema:Date``, so the block
redefines every schema.org term kg uses with its ``https://schema.org/`` IRI and no coercion,
and gives the other namespaces their prefixes. Every value carries its datatype, so the
document expands (offline, with schema.org's context from the package) to exactly the triples
of the Turtle, which ``tests/test_schemaorg.py`` checks.
"""

from __future__ import annotations

import re
from functools import cache

import orjson

from kg.mapping import MappedRecord
from kg.rdf import RDF_TYPE, Object
from kg.serialize.base import Format
from kg.serialize.jsonld import literal_value
from kg.serialize.prefixes import PREFIXES, SAFE_LOCAL, compact
from kg.vocab import SCHEMA_NS, SDO

SCHEMA_CONTEXT_URL = "https://schema.org"
# The most specific class first, and the name first: what a person reading the page source and
# a harvester taking the first type look for.
_FIRST_TYPES = (SDO.MedicalTrial, SDO.MedicalObservationalStudy)
_NAME = SDO.name


@cache
def local_context() -> dict:
    """kg's block after schema.org's context: every schema.org term kg emits, with https."""
    block: dict = {"@vocab": SCHEMA_NS}
    block.update({prefix: ns for prefix, ns in PREFIXES.items() if prefix != "schema"})
    block.update({term: {"@id": SCHEMA_NS + term} for term in sorted(SDO.terms)})
    return block


def context() -> list:
    return [SCHEMA_CONTEXT_URL, local_context()]


def _key(iri: str) -> str:
    if iri.startswith(SCHEMA_NS) and iri[len(SCHEMA_NS):] in SDO.terms:
        return iri[len(SCHEMA_NS):]
    name = compact(iri)
    return name if name and not name.startswith("schema:") else iri


def _type(iri: str) -> str:
    local = iri[len(SCHEMA_NS):] if iri.startswith(SCHEMA_NS) else ""
    return local if local in SDO.terms and SAFE_LOCAL.match(local) else _key(iri)


class _Tree:
    """Builds the trial-rooted tree of one record's nodes."""

    def __init__(self, mapped: MappedRecord) -> None:
        self.trial = mapped.trial
        self.nodes: dict[str, dict[str, list[Object]]] = {}
        for s, p, o in mapped.triples:
            self.nodes.setdefault(s, {}).setdefault(p, []).append(o)
        self.objects: dict[str, dict] = {}  # placed node -> its JSON object
        self.skip: set[tuple[str, str, str]] = set()  # triples said through @reverse

    def document(self) -> dict:
        root = self.embed(self.trial)
        self.place_the_rest(root)
        return {"@context": context(), **root}

    def embed(self, iri: str) -> dict:
        node: dict = {"@id": iri}
        self.objects[iri] = node
        properties = self.nodes.get(iri, {})
        types = sorted(properties.get(RDF_TYPE, ()), key=lambda t: (t not in _FIRST_TYPES, t))
        if types:
            node["@type"] = [_type(t) for t in types] if len(types) > 1 else _type(types[0])
        for predicate in sorted((p for p in properties if p != RDF_TYPE),
                                key=lambda p: (p != _NAME, p)):
            values = [self.value(o) for o in sorted(properties[predicate], key=_order)
                      if (iri, predicate, o) not in self.skip]
            if values:
                node[_key(predicate)] = values if len(values) > 1 else values[0]
        return node

    def value(self, obj: Object) -> object:
        if not isinstance(obj, str):
            return literal_value(obj)
        if obj in self.nodes and obj not in self.objects and obj != self.trial:
            return self.embed(obj)
        return {"@id": obj}

    def place_the_rest(self, root: dict) -> None:
        """Nodes no placed node points to, nested under a node they point to."""
        left = sorted(set(self.nodes) - set(self.objects))
        while left:
            still = []
            for iri in left:
                if iri in self.objects:
                    continue
                link = next(((p, o) for p, objs in sorted(self.nodes[iri].items()) if p != RDF_TYPE
                             for o in sorted(objs, key=_order)
                             if isinstance(o, str) and o in self.objects), None)
                if link is None:
                    still.append(iri)
                    continue
                predicate, target = link
                self.skip.add((iri, predicate, target))
                reverse = self.objects[target].setdefault("@reverse", {})
                reverse.setdefault(_key(predicate), []).append(self.embed(iri))
            if len(still) == len(left):
                root["@included"] = [self.embed(iri) for iri in still if iri not in self.objects]
                return
            left = still


def _order(obj: Object) -> tuple:
    return (0, obj) if isinstance(obj, str) else (1, obj[0], obj[1], obj[2] or "")


def document(mapped: MappedRecord) -> dict:
    """The record as one schema.org JSON-LD document rooted at its trial."""
    return _Tree(mapped).document()


SCHEMA_CONTEXT_URLS = ("https://schema.org", "https://schema.org/", "http://schema.org",
                       "http://schema.org/", "https://schema.org/docs/jsonldcontext.jsonld")


@cache
def schema_context() -> dict:
    """schema.org's own context (release 30.0), shipped in the package."""
    from importlib import resources

    return orjson.loads(resources.files("kg.ontologies").joinpath(
        "schemaorg-context.jsonld").read_bytes())


def expand_to_nquads(doc: dict) -> str:
    """A document's triples as N-Quads, expanded by pyld with schema.org's context from the
    package: never the network (any other remote context is refused)."""
    from pyld import jsonld

    def loader(url: str, options: dict | None = None) -> dict:
        if url.rstrip("/") in {u.rstrip("/") for u in SCHEMA_CONTEXT_URLS}:
            return {"contextUrl": None, "documentUrl": url, "document": schema_context()}
        raise jsonld.JsonLdError(f"no remote context is fetched ({url})", "loading document failed")

    return jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})


class SchemaOrg(Format):
    """One trial-rooted document per record, one per line (a single record: one document)."""

    extension = ".schemaorg.jsonl"

    def render(self, mapped: MappedRecord) -> str:
        return script_safe(orjson.dumps(document(mapped)).decode()) + "\n"


# Characters a JSON text may hold in its strings that end or confuse an HTML <script> element
# (</script>, <!--) or a JavaScript source (the two line separators): written as \u escapes,
# which every JSON reader reads back as the same characters.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                  "\u2029": "\\u2029"}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def script_safe(json_text: str) -> str:
    """A JSON text that can stand inside ``<script type="application/ld+json">`` as it is: the
    documents publishers are told to embed, and the ones kg serve embeds, are written so."""
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group()], json_text)
