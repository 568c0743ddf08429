"""The description graph (``<base>dataset``) a load keeps in the store: what was loaded, in
VoID, DCMI and PROV terms: the dataset's triple count, source, time and tool, the mapping sets
behind its links (SSSOM); per trial graph its triple count, the record's last update
(``dcterms:modified``, which ``--since`` compares) and its content digest (a reload of the same
content changes nothing)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import NamedTuple

from kg import __version__
from kg.grounding.mesh import mapping_sets
from kg.grounding.text import grounding_set
from kg.mapping.grounding import REGISTRY_INDEX, REGISTRY_INDEX_TITLE
from kg.pipeline.trial_graphs import TrialGraph
from kg.serialize.ntriples import iri, string
from kg.stores import Store
from kg.trial_ids import registry_page
from kg.vocab import KG_NS, SCHEMA_NS

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
PREFIXES = f"PREFIX void: <{VOID}>\nPREFIX dcterms: <{DCTERMS}>\nPREFIX prov: <{PROV}>\n"


class StoredTrial(NamedTuple):
    """What the description graph says of a loaded trial graph."""

    modified: str | None
    digest: str | None


def description_graph(base: str) -> str:
    return f"{base}dataset"


def stored_trials(store: Store, base: str) -> dict[str, StoredTrial]:
    """Trial graph -> the last update date and content digest recorded when it was loaded.

    Three plain patterns read apart and joined here: one query with two OPTIONALs took
    Virtuoso 120 s over 50,000 trials, the three 7 s. Each is read in pages (``_by_graph``),
    so that a server's cap on result rows cannot cut the list short."""
    desc = iri(description_graph(base))
    graphs = [g for g, _ in _by_graph(store, f"GRAPH {desc} {{ {iri(base + 'dataset')} "
                                             "void:subset ?g BIND(1 AS ?v) }")]
    modified = dict(_by_graph(store, f"GRAPH {desc} {{ ?g dcterms:modified ?v }}"))
    digests = dict(_by_graph(store, f"GRAPH {desc} {{ ?g <{KG_NS}contentDigest> ?v }}"))
    return {g: StoredTrial(modified.get(g), digests.get(g)) for g in graphs}


PAGE = 10_000  # rows a query: Virtuoso sorts no more for one (MaxSortedTopRows)


def _by_graph(store: Store, pattern: str) -> Iterator[tuple[str, str]]:
    """(?g, ?v) of every solution of ``pattern``, a page at a time in the order of ?g, each
    page starting after the last graph of the one before: a server that caps a result's rows
    (Virtuoso's ResultSetMaxRows: 10,000 in Debian's configuration) gives a shorter page,
    never a shorter list."""
    after = ""
    while True:
        rows = store.query(PREFIXES + f"SELECT ?g ?v WHERE {{ {pattern} "
                                      f"FILTER(STR(?g) > {string(after)}) }} "
                                      f"ORDER BY STR(?g) LIMIT {PAGE}").rows
        found = [(row[0]["value"], row[1]["value"]) for row in rows if row[0] and row[1]]
        if not found:
            return
        yield from found
        after = found[-1][0]


def announce_batch(store: Store, base: str, batch: list[TrialGraph]) -> None:
    """List a batch's graphs in the description before they are loaded, without a digest: if
    the load dies, the next one knows these graphs may be in the store, half written, and
    replaces them (a store that deletes only the graphs it is told are there needs this)."""
    desc, dataset = iri(description_graph(base)), iri(f"{base}dataset")
    subsets = " ".join(f"{dataset} void:subset {iri(t.graph)} ." for t in batch)
    store.update(PREFIXES + f"INSERT DATA {{ GRAPH {desc} {{ {subsets} }} }}")


def describe_batch(store: Store, base: str, batch: list[TrialGraph], now: str) -> None:
    dataset = iri(f"{base}dataset")
    values = " ".join(iri(t.graph) for t in batch)
    inserts = []
    for trial in batch:
        graph = iri(trial.graph)
        inserts.append(f"{dataset} void:subset {graph} .\n{graph} a void:Dataset ; "
                       f"void:triples {trial.triples} ; prov:generatedAtTime "
                       f'"{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> ; dcterms:source '
                       f"{iri(registry_page(trial.nct_id))} .")
        if trial.modified:
            inserts.append(f"{graph} dcterms:modified {string(trial.modified)} .")
        inserts.append(f"{graph} <{KG_NS}contentDigest> {string(trial.content_digest())} .")
    store.update(PREFIXES + f"""
        DELETE {{ GRAPH {iri(description_graph(base))} {{ ?g ?p ?o }} }}
        WHERE {{ GRAPH {iri(description_graph(base))} {{ VALUES ?g {{ {values} }} ?g ?p ?o }} }} ;
        INSERT DATA {{ GRAPH {iri(description_graph(base))} {{ {" ".join(inserts)} }} }}""")


def describe_dataset(store: Store, base: str, source: str, now: str) -> None:
    """The dataset's triple count (the sum of its trial graphs', kept per graph as they are
    loaded, so no load scans the store), with source, time and tool. There is no entity count:
    distinct subjects over the whole store would take a scan of it on every load."""
    desc = iri(description_graph(base))
    dataset = iri(f"{base}dataset")
    counts = store.query(PREFIXES + f"""
        SELECT (SUM(?n) AS ?triples) WHERE {{ GRAPH {desc} {{
            {dataset} void:subset ?g . ?g void:triples ?n }} }}""")
    cell = counts.rows[0][0] if counts.rows else None
    triples = int(cell["value"]) if cell else 0
    sets = mapping_set_triples(dataset)
    store.update(PREFIXES + f"""
        DELETE {{ GRAPH {desc} {{ {dataset} ?p ?o . ?set ?q ?v }} }}
        WHERE {{ GRAPH {desc} {{ {dataset} ?p ?o FILTER(?p != void:subset)
            OPTIONAL {{ ?set a <{SSSOM}MappingSet> ; ?q ?v }} }} }} ;
        INSERT DATA {{ GRAPH {desc} {{ {dataset} a void:Dataset ;
            void:triples {triples} ;
            void:vocabulary <{SCHEMA_NS}>, <{KG_NS.rstrip("#")}> ;
            dcterms:source {string(source)} ;
            prov:generatedAtTime "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;
            dcterms:creator {string("kg " + __version__)} .
            {sets} }} }}""")


SSSOM = "https://w3id.org/sssom/"


def mapping_set_triples(dataset: str) -> str:
    """The mapping sets behind the graph's MeSH matches (kg/data/mapping_sets.json) and the
    tables its links from the records' own words come from (kg/data/grounding_set.json), as
    the dataset's sources in SSSOM's terms: title, version, licence, justification."""
    lines = []
    for entry in [*mapping_sets(), grounding_set()]:
        node = iri(entry["mapping_set_id"])
        justification = "https://w3id.org/semapv/vocab/" + entry["justification"].split(":")[1]
        lines.append(
            f"{dataset} prov:wasDerivedFrom {node} .\n"
            f"{node} a <{SSSOM}MappingSet> ; dcterms:title {string(entry['title'])} ;\n"
            f"  <{SSSOM}mapping_set_version> "
            f"{string(entry['package'] + ' ' + entry['version'])} ;\n"
            f"  dcterms:license {iri(entry['licence_iri'])} ;\n"
            f"  dcterms:source {iri('https://pypi.org/project/' + entry['package'] + '/')} ;\n"
            f"  <{SSSOM}mapping_justification> {iri(justification)} .")
    lines.append(
        f"{dataset} prov:wasDerivedFrom {iri(REGISTRY_INDEX)} .\n"
        f"{iri(REGISTRY_INDEX)} a <{SSSOM}MappingSet> ; dcterms:title "
        f"{string(REGISTRY_INDEX_TITLE)} ;\n"
        f"  <{SSSOM}mapping_set_version> {string('each record as last updated')} ;\n"
        f"  <{SSSOM}mapping_justification> <https://w3id.org/semapv/vocab/LexicalMatching> .")
    return "\n".join(lines)


def load_time() -> str:
    """When a load ran, as the description records it (to the second, UTC)."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
