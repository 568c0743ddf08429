"""Loading: each trial into its own named graph (the trial's IRI), replaced whole, so loading
twice leaves one copy and an updated record replaces the old one.

A description graph (``<base>dataset``) says what was loaded, in VoID, DCMI and PROV terms: the
dataset's triple and entity counts, source, time and tool; per trial graph its triple count and
the record's last update (``dcterms:modified``), which ``--since`` compares to skip trials whose
stored version is current. A load that fails part-way names every trial it did not load.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.export import ExportOptions, outcomes
from kg.mapping.ids import trial_iri
from kg.mapping.vocab import KG_NS, SCHEMA_NS
from kg.serialize.ntriples import iri, string
from kg.sources.files import read_units
from kg.stores import Store, StoreError

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
PREFIXES = f"PREFIX void: <{VOID}>\nPREFIX dcterms: <{DCTERMS}>\nPREFIX prov: <{PROV}>\n"
RDF_SUFFIXES = {".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES,
                ".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG,
                ".jsonld": ox.RdfFormat.JSON_LD}
_MODIFIED = ox.NamedNode(KG_NS + "lastUpdatePostDate")
# A batch is also bounded by its N-Triples size: the store's bulk loader holds a batch several
# times over in memory, and a hundred trials with results can be 30 MB of text.
BATCH_BYTES = 4 * 1024 * 1024


class TrialGraph(NamedTuple):
    nct_id: str
    graph: str
    ntriples: str
    triples: int
    modified: str | None  # the record's last update post date


@dataclass
class LoadSummary:
    loaded: list[str] = field(default_factory=list)
    not_loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed_inputs: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.not_loaded and not self.failed_inputs and not self.error


def description_graph(base: str) -> str:
    return f"{base}dataset"


def graphs_from_records(inputs: Iterable[str], base: str, workers: int,
                        report: Callable[[str], None], summary: LoadSummary) -> Iterator[TrialGraph]:
    options = ExportOptions(formats=("ntriples",), base=base, validate=False)
    for outcome in outcomes(read_units(inputs), options, workers):
        for line in outcome.lines:
            report(line)
        if not outcome.nct_id:
            summary.failed_inputs += outcome.failed
            continue
        yield TrialGraph(outcome.nct_id, trial_iri(base, outcome.nct_id),
                         outcome.blocks["ntriples"].decode(), outcome.triples,
                         outcome.last_update)


class InputError(KgError):
    """An input file that cannot be read as RDF: the input's fault, not the store's."""


def graphs_from_rdf(path: Path) -> Iterator[TrialGraph]:
    """Trial graphs of an RDF file: the named graphs of N-Quads/TriG, else one per trial.

    N-Quads are streamed: ``kg export`` writes each trial's quads together, so a graph is
    yielded as soon as the next one starts and memory holds one trial at a time. A graph whose
    quads are split across the file is an error (loading its second part would replace the
    first)."""
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    try:
        if fmt is ox.RdfFormat.N_QUADS:
            yield from nquads_graphs(path)
            return
        by_graph: dict[str, list] = {}
        if fmt is ox.RdfFormat.TRIG:
            for quad in ox.parse(path=str(path), format=fmt):
                if isinstance(quad.graph_name, ox.NamedNode):
                    by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        else:
            import rdflib

            from kg.validate import trial_subgraphs

            for part in trial_subgraphs(rdflib.Graph().parse(path)):
                by_graph[part.trial] = list(ox.parse(part.graph.serialize(format="nt").encode(),
                                                     ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read as RDF: {_first_line(exc)}") from exc
    for graph_iri, triples in by_graph.items():
        yield _trial_graph(graph_iri, triples)


def nquads_graphs(path: Path) -> Iterator[TrialGraph]:
    done: set[str] = set()
    current: str | None = None
    triples: list = []
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        if not isinstance(quad.graph_name, ox.NamedNode):
            continue
        name = quad.graph_name.value
        if name != current:
            if current is not None:
                done.add(current)
                yield _trial_graph(current, triples)
            if name in done:
                raise InputError(f"{path}: the quads of graph <{name}> are not together; "
                                 "sort the file by graph (kg export writes them so)")
            current, triples = name, []
        triples.append(quad.triple)
    if current is not None:
        yield _trial_graph(current, triples)


def _trial_graph(graph_iri: str, triples: list) -> TrialGraph:
    modified = next((t.object.value for t in triples if t.predicate == _MODIFIED
                     and t.subject.value == graph_iri), None)
    text = "".join(sorted({f"{t} .\n" for t in triples}))
    return TrialGraph(graph_iri.rsplit("/", 1)[-1], graph_iri, text, text.count("\n"), modified)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().split("\n", 1)[0] or type(exc).__name__)[:300]


def stored_versions(store: Store, base: str) -> dict[str, str]:
    """Trial graph -> the last update date recorded when it was loaded."""
    result = store.query(PREFIXES + f"""
        SELECT ?g ?modified WHERE {{ GRAPH <{description_graph(base)}> {{
            <{base}dataset> void:subset ?g . ?g dcterms:modified ?modified }} }}""")
    return {row[0]["value"]: row[1]["value"] for row in result.rows if row[0] and row[1]}


def _describe_batch(store: Store, base: str, batch: list[TrialGraph], now: str) -> None:
    dataset = iri(f"{base}dataset")
    values = " ".join(iri(t.graph) for t in batch)
    inserts = []
    for trial in batch:
        graph = iri(trial.graph)
        inserts.append(f"{dataset} void:subset {graph} .\n{graph} a void:Dataset ; "
                       f"void:triples {trial.triples} ; prov:generatedAtTime "
                       f'"{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> ; dcterms:source '
                       f"<https://clinicaltrials.gov/study/{trial.nct_id}> .")
        if trial.modified:
            inserts.append(f"{graph} dcterms:modified {string(trial.modified)} .")
    store.update(PREFIXES + f"""
        DELETE {{ GRAPH {iri(description_graph(base))} {{ ?g ?p ?o }} }}
        WHERE {{ GRAPH {iri(description_graph(base))} {{ VALUES ?g {{ {values} }} ?g ?p ?o }} }} ;
        INSERT DATA {{ GRAPH {iri(description_graph(base))} {{ {" ".join(inserts)} }} }}""")


def describe_dataset(store: Store, base: str, source: str, now: str) -> None:
    """VoID counts over every loaded trial graph, with source, time and tool."""
    desc = iri(description_graph(base))
    dataset = iri(f"{base}dataset")
    counts = store.query(PREFIXES + f"""
        SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities) WHERE {{
            GRAPH {desc} {{ {dataset} void:subset ?g }} GRAPH ?g {{ ?s ?p ?o }} }}""")
    triples, entities = (int(cell["value"]) for cell in counts.rows[0])
    store.update(PREFIXES + f"""
        DELETE {{ GRAPH {desc} {{ {dataset} ?p ?o }} }}
        WHERE {{ GRAPH {desc} {{ {dataset} ?p ?o FILTER(?p != void:subset) }} }} ;
        INSERT DATA {{ GRAPH {desc} {{ {dataset} a void:Dataset ;
            void:triples {triples} ; void:entities {entities} ;
            void:vocabulary <{SCHEMA_NS}>, <{KG_NS.rstrip("#")}> ;
            dcterms:source {string(source)} ;
            prov:generatedAtTime "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;
            dcterms:creator {string("kg " + __version__)} . }} }}""")


def load(graphs: Iterable[TrialGraph], store: Store, base: str, source: str,
         since: bool = False, batch_size: int = 100,
         on_batch: Callable[[list[TrialGraph]], None] | None = None) -> LoadSummary:
    """Replace each trial's graph in ``store``; stop at the first store failure and name the
    trials that were not loaded."""
    summary = LoadSummary()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    current = stored_versions(store, base) if since else {}
    batch: list[TrialGraph] = []
    batch_bytes = 0
    iterator = iter(graphs)

    def flush() -> None:
        nonlocal batch_bytes
        batch_bytes = 0
        store.replace_graphs([(t.graph, t.ntriples) for t in batch])
        _describe_batch(store, base, batch, now)
        summary.loaded.extend(t.nct_id for t in batch)
        if on_batch is not None:
            on_batch(batch)
        batch.clear()

    try:
        for trial in iterator:
            stored = current.get(trial.graph)
            if since and stored and trial.modified and trial.modified <= stored:
                summary.skipped.append(trial.nct_id)
                continue
            batch.append(trial)
            batch_bytes += len(trial.ntriples)
            if len(batch) >= batch_size or batch_bytes >= BATCH_BYTES:
                flush()
        if batch:
            flush()
        describe_dataset(store, base, source, now)
    except StoreError as exc:
        summary.error = str(exc)
        summary.not_loaded.extend(t.nct_id for t in batch)
        summary.not_loaded.extend(t.nct_id for t in iterator)
    return summary
