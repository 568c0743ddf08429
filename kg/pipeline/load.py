"""Loading: each trial into its own named graph (the trial's IRI), replaced whole, so loading
twice leaves one copy and an updated record replaces the old one.

A description graph (``<base>dataset``) says what was loaded, in VoID, DCMI and PROV terms: the
dataset's triple and entity counts, source, time and tool; per trial graph its triple count and
the record's last update (``dcterms:modified``), which ``--since`` compares to skip trials whose
stored version is current. A load that fails part-way names every trial it did not load.
"""

from __future__ import annotations

import datetime
import hashlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.ids import trial_iri
from kg.pipeline.export import ExportOptions, outcomes
from kg.serialize.ntriples import iri, string
from kg.serialize.quads import GraphBlock, QuadsError, Reading, graph_blocks
from kg.serialize.trial_blocks import trial_texts
from kg.sources.files import read_units
from kg.stores import Store, StoreError
from kg.vocab import KG_NS, SCHEMA_NS

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
PREFIXES = f"PREFIX void: <{VOID}>\nPREFIX dcterms: <{DCTERMS}>\nPREFIX prov: <{PROV}>\n"
RDF_SUFFIXES = {".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES,
                ".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG,
                ".jsonld": ox.RdfFormat.JSON_LD}
# Of a store that takes batches (a remote server): the bytes of one batch at most, unless the
# store says otherwise (Virtuoso's bulk loader takes larger ones).
BATCH_BYTES = 16 * 1024 * 1024
# Of a store that loads a stream (Oxigraph): the bytes one bulk-load call takes. Loaded trials
# are described after each call, so a crash loses the record of at most one segment.
SEGMENT_BYTES = 512 * 1024 * 1024


class TrialGraph(NamedTuple):
    nct_id: str
    graph: str
    nquads: bytes  # the graph's lines, each ending in " <graph> .\n"
    triples: int
    modified: str | None  # the record's last update post date
    digest: str = ""  # of the lines: sha256:<hex> (made from nquads when not given)

    def content_digest(self) -> str:
        return self.digest or digest_of(self.nquads)


def _trial_of(block: GraphBlock, nquads: bytes, digest: str = "") -> TrialGraph:
    """The trial graph of a block of N-Quads lines (its NCT id is the graph IRI's last part);
    ``nquads`` the lines to keep with it (none, for a pass that only surveys the file)."""
    return TrialGraph(block.graph.rsplit("/", 1)[-1], block.graph, nquads, block.triples,
                      block.modified(), digest)


def digest_of(nquads: bytes) -> str:
    """What the description graph records of a graph's content (``kg:contentDigest``)."""
    return "sha256:" + hashlib.sha256(nquads).hexdigest()


class StoredTrial(NamedTuple):
    """What the description graph says of a loaded trial graph."""

    modified: str | None
    digest: str | None


@dataclass
class LoadSummary:
    loaded: list[str] = field(default_factory=list)
    not_loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # --since: the stored version is current
    unchanged: list[str] = field(default_factory=list)  # the same content is stored already
    failed_inputs: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.not_loaded and not self.failed_inputs and not self.error

    def add(self, other: LoadSummary) -> None:
        """Count another load of the same run in this one."""
        self.loaded += other.loaded
        self.not_loaded += other.not_loaded
        self.skipped += other.skipped
        self.unchanged += other.unchanged
        self.failed_inputs += other.failed_inputs
        self.error = self.error or other.error


def description_graph(base: str) -> str:
    return f"{base}dataset"


def graphs_from_records(inputs: Iterable[str], base: str, workers: int,
                        report: Callable[[str], None], summary: LoadSummary) -> Iterator[TrialGraph]:
    options = ExportOptions(formats=("nquads",), base=base, validate=False)
    for outcome in outcomes(read_units(inputs), options, workers):
        for line in outcome.lines:
            report(line)
        if not outcome.nct_id:
            summary.failed_inputs += outcome.failed
            continue
        yield TrialGraph(outcome.nct_id, trial_iri(base, outcome.nct_id),
                         outcome.blocks["nquads"], outcome.triples, outcome.last_update)


class InputError(KgError):
    """An input file that cannot be read as RDF: the input's fault, not the store's."""


def graphs_from_rdf(path: Path) -> Iterator[TrialGraph]:
    """Trial graphs of an RDF file: the named graphs of N-Quads/TriG, else one per trial.

    N-Quads, and kg's own N-Triples, Turtle and JSON-LD, are streamed a trial at a time as the
    bytes of N-Quads lines (:mod:`kg.serialize.trial_blocks`; Turtle and JSON-LD records read
    in C here, which costs less than sending their lines back from worker processes while the
    store's loader takes both cores), so memory holds a few trials; other N-Triples and Turtle
    are parsed by Oxigraph; JSON-LD kg did not write by rdflib."""
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    try:
        texts = trial_texts(path)
        if texts is not None:
            for text in texts:
                block = text.block()
                yield _trial_of(block, block.data)
            return
        by_graph: dict[str, list] = {}
        if fmt is ox.RdfFormat.TRIG:
            for quad in ox.parse(path=str(path), format=fmt):
                if isinstance(quad.graph_name, ox.NamedNode):
                    by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        else:
            from kg.serialize.rdf_files import rdflib_graph
            from kg.validation.validate import trial_subgraphs

            for part in trial_subgraphs(rdflib_graph(path)):
                by_graph[part.trial] = list(ox.parse(part.graph.serialize(format="nt").encode(),
                                                     ox.RdfFormat.N_TRIPLES))
    except QuadsError as exc:
        raise InputError(str(exc)) from exc
    except KgError as exc:
        raise InputError(str(exc)) from exc
    except Exception as exc:  # rdflib raises many kinds for malformed input
        raise InputError(f"{path}: cannot read as RDF: {_first_line(exc)}") from exc
    for graph_iri, triples in by_graph.items():
        block = GraphBlock(graph_iri, "".join(sorted({f"{t} <{graph_iri}> .\n"
                                                      for t in triples})).encode())
        yield _trial_of(block, block.data)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().split("\n", 1)[0] or type(exc).__name__)[:300]


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


def _announce_batch(store: Store, base: str, batch: list[TrialGraph]) -> None:
    """List a batch's graphs in the description before they are loaded, without a digest: if
    the load dies, the next one knows these graphs may be in the store, half written, and
    replaces them (a store that deletes only the graphs it is told are there needs this)."""
    desc, dataset = iri(description_graph(base)), iri(f"{base}dataset")
    subsets = " ".join(f"{dataset} void:subset {iri(t.graph)} ." for t in batch)
    store.update(PREFIXES + f"INSERT DATA {{ GRAPH {desc} {{ {subsets} }} }}")


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
    """The mapping sets behind the graph's MeSH matches (kg/data/mapping_sets.json), as the
    dataset's sources in SSSOM's terms: title, version, licence, justification."""
    from kg.grounding.mesh import mapping_sets

    lines = []
    for entry in mapping_sets():
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
    return "\n".join(lines)


_DONE = object()


def read_ahead(items: Iterable, size: int = 64) -> Iterator:
    """``items``, produced by a thread of their own up to ``size`` ahead, so that reading and
    mapping the next trials overlap a store's loading of the current batch (Oxigraph's bulk
    loader and Virtuoso's, run as another process, do not hold the interpreter). An error of
    the producer is raised where the item would have been."""
    ready: queue.Queue = queue.Queue(maxsize=size)
    stopped = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stopped.is_set():
                    try:
                        ready.put((item, None), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stopped.is_set():
                    return
            ready.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            ready.put((_DONE, exc))

    thread = threading.Thread(target=produce, name="kg-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stopped.set()


def _fed(trials: Iterator[TrialGraph], taken: list[TrialGraph]) -> Iterator[tuple[str, bytes]]:
    """The trials as (graph, N-Quads) for a store's stream, each noted in ``taken`` as it goes."""
    for trial in trials:
        taken.append(trial)
        yield trial.graph, trial.nquads


def load(graphs: Iterable[TrialGraph], store: Store, base: str, source: str,
         since: bool = False, batch_size: int = 1000,
         on_batch: Callable[[list[TrialGraph]], None] | None = None) -> LoadSummary:
    """Replace each trial's graph in ``store``; stop at the first store failure and name the
    trials that were not loaded. A store that can take a stream (Oxigraph) gets segments of
    ``SEGMENT_BYTES`` in one bulk-load call each; others get batches of ``batch_size`` trials
    (and at most the store's ``batch_bytes``). Trials are described once they are loaded."""
    summary = LoadSummary()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    current: dict[str, StoredTrial] = {}

    def wanted(trials: Iterable[TrialGraph]) -> Iterator[TrialGraph]:
        for trial in trials:
            stored = current.get(trial.graph)
            if since and stored and stored.modified and trial.modified \
                    and trial.modified <= stored.modified:
                summary.skipped.append(trial.nct_id)
            elif stored and stored.digest == trial.content_digest():
                summary.unchanged.append(trial.nct_id)
            else:
                yield trial

    iterator = read_ahead(wanted(graphs))
    batch: list[TrialGraph] = []

    def loaded(trials: list[TrialGraph]) -> None:
        for start in range(0, len(trials), batch_size):
            _describe_batch(store, base, trials[start:start + batch_size], now)
        summary.loaded.extend(t.nct_id for t in trials)
        if on_batch is not None:
            on_batch(trials)

    try:
        current.update(stored_trials(store, base))
        # Graphs under the base with none described: a first load stopped part-way (kg
        # killed while the store loaded a file); any trial may be there, half written. (A
        # store without is_empty replaces every graph it is given whole: nothing to know.)
        undescribed = not current and hasattr(store, "is_empty") and not store.is_empty(base)
        if hasattr(store, "replace_stream"):
            # Into an empty store (a first load), the whole stream in one call, as an N-Quads
            # file is loaded, and no graph to look for; else a segment a call, so that what
            # is loaded is described as the load goes.
            fresh = not current and not undescribed
            while True:
                batch = []
                if not store.replace_stream(_fed(iterator, batch),
                                            None if fresh else SEGMENT_BYTES, fresh):
                    break
                loaded(batch)
        else:
            limit = getattr(store, "batch_bytes", BATCH_BYTES)
            held = 0

            def replace(batch: list[TrialGraph]) -> None:
                _announce_batch(store, base, batch)
                store.replace_graphs([(t.graph, t.nquads) for t in batch],
                                     stored=None if undescribed else
                                     {t.graph for t in batch if t.graph in current})
                loaded(batch)

            for trial in iterator:
                batch.append(trial)
                held += len(trial.nquads)
                if len(batch) >= batch_size or held >= limit:
                    replace(batch)
                    batch, held = [], 0
            if batch:
                replace(batch)
                batch = []
        describe_dataset(store, base, source, now)
    except StoreError as exc:
        summary.error = str(exc)
        summary.not_loaded.extend(t.nct_id for t in batch if t.nct_id not in summary.loaded)
        summary.not_loaded.extend(t.nct_id for t in iterator)
    return summary


class _Survey:
    """What the first pass over an N-Quads file finds: the trials to load, those stored with
    the same digest, the stored graphs to remove first, and the lines not in kg's form."""

    def __init__(self) -> None:
        self.trials: list[TrialGraph] = []
        self.unchanged: list[TrialGraph] = []
        self.replaced: list[str] = []
        self.reading = Reading()
        self.error: QuadsError | None = None

    def run(self, path: Path, current: dict[str, StoredTrial], store: Store | None) -> None:
        """``store`` None: no graph to look for (the store held nothing when the load began,
        or cannot be asked)."""
        try:
            for block in graph_blocks(path, self.reading):
                trial = _trial_of(block, b"", digest_of(block.data))
                stored = current.get(trial.graph)
                if stored and stored.digest == trial.digest:
                    self.unchanged.append(trial)  # reloaded as it is: the store keeps one copy
                else:
                    self.trials.append(trial)
                    if stored or (store is not None and store.has_graph(trial.graph)):
                        self.replaced.append(trial.graph)
        except QuadsError as exc:
            self.error = exc


def load_nquads_file(path: Path, store: Store, base: str, source: str,
                     on_batch: Callable[[list[TrialGraph]], None] | None = None,
                     batch_size: int = 1000) -> LoadSummary | None:
    """An N-Quads file loaded by the store's own reader, when the store has one (Oxigraph's
    bulk loader; Virtuoso's, given the file in parts in its shared directory).

    A first pass reads the graphs (names, sizes, update dates and content digests, and that
    the file is well formed); changed graphs that are stored already are removed; the store
    bulk-loads the file itself, with no Python between the file and its parser; the trials are
    described. A graph stored with the same digest is left as it is: the load writes the same
    quads again, which changes nothing. None when the file is not for this path (a line not in
    the form ``kg export`` writes, or more than half of the trials unchanged, where streaming
    only the changed ones is faster): the caller streams it instead. An unreadable file raises
    InputError, the store as it was before.

    Into an empty store (a first load, the registry-scale case) the first pass runs in a thread
    while the store loads, since there is nothing to remove first (measured: a tenth off the
    load); if the pass then finds the file unreadable or not in kg's form, or the store fails,
    the store is put back as it was (``discard``: Oxigraph emptied, a Virtuoso rid of the
    graphs under ``base``, since the server may hold other data). A store without
    ``reloads_files`` (Virtuoso) takes only first loads this way: into a store holding trials,
    the caller's batches replace each graph beside its stored copy, so that a failure leaves
    the store as it was, where removing the stored graphs first could not."""
    if not hasattr(store, "load_file"):
        return None
    if not store.reloads_files:
        try:
            if not store.is_empty(base):  # the description graph is under the base too
                return None  # batches; load() reads the stored trials, once
        except StoreError:
            return None  # load() meets the same error and names every trial
    try:
        current, error = stored_trials(store, base), ""
    except StoreError as exc:  # the trials are still read, to name them as not loaded
        current, error = {}, str(exc)
    survey = _Survey()
    if not error and not current and store.is_empty(base):
        return _load_into_empty(path, store, base, source, survey, on_batch, batch_size)
    survey.run(path, current, None if error else store)
    if survey.error is not None:
        raise InputError(str(survey.error)) from survey.error
    if error:
        return LoadSummary(not_loaded=[t.nct_id for t in survey.trials + survey.unchanged],
                           error=error)
    if survey.reading.other_lines or len(survey.unchanged) > len(survey.trials):
        return None  # not in kg's form, or mostly stored already: better streamed, changes only
    summary = LoadSummary(unchanged=[t.nct_id for t in survey.unchanged])
    try:
        store.remove_graphs(survey.replaced)
        store.load_file(path)
    except StoreError as exc:
        return _failed(summary, survey.trials, exc)
    return _described(store, base, source, survey.trials, summary, on_batch, batch_size)


def _load_into_empty(path: Path, store: Store, base: str, source: str, survey: _Survey,
                     on_batch: Callable[[list[TrialGraph]], None] | None,
                     batch_size: int) -> LoadSummary | None:
    surveying = threading.Thread(target=survey.run, args=(path, {}, None), daemon=True)
    surveying.start()
    try:
        store.load_file(path)  # the store's loader lets go of the GIL (a thread or a process)
        failure = None
    except StoreError as exc:
        failure = exc
    surveying.join()
    if survey.error is not None or survey.reading.other_lines or failure is not None:
        try:
            store.discard(base)
        except StoreError as exc:  # a server gone down: it keeps nothing past its checkpoint
            failure = failure or exc
    if survey.error is not None:
        raise InputError(str(survey.error)) from survey.error
    if survey.reading.other_lines:
        return None
    if failure is not None:
        return _failed(LoadSummary(), survey.trials, failure)
    return _described(store, base, source, survey.trials, LoadSummary(), on_batch, batch_size)


def _failed(summary: LoadSummary, trials: list[TrialGraph], exc: StoreError) -> LoadSummary:
    summary.error = str(exc)
    summary.not_loaded.extend(t.nct_id for t in trials if t.nct_id not in summary.loaded)
    return summary


def _described(store: Store, base: str, source: str, trials: list[TrialGraph],
               summary: LoadSummary, on_batch: Callable[[list[TrialGraph]], None] | None,
               batch_size: int) -> LoadSummary:
    """The loaded trials described in the description graph, in batches."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    try:
        for start in range(0, len(trials), batch_size):
            part = trials[start:start + batch_size]
            _describe_batch(store, base, part, now)
            summary.loaded.extend(t.nct_id for t in part)
            if on_batch is not None:
                on_batch(part)
        describe_dataset(store, base, source, now)
    except StoreError as exc:
        return _failed(summary, trials, exc)
    return summary
