"""What a load moves and what it reports: each trial as its graph's N-Quads lines, read from
records (mapped in worker processes) or from an RDF file (a trial at a time, where the file
allows), and the summary of a load."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg.errors import KgError
from kg.ids import trial_iri
from kg.pipeline.export import ExportOptions, outcomes
from kg.serialize.quads import GraphBlock, QuadsError
from kg.serialize.rdf_formats import rdf_format_of
from kg.serialize.trial_blocks import trial_texts
from kg.serialize.trial_cut import ntriples_trials
from kg.sources.files import read_units


class TrialGraph(NamedTuple):
    nct_id: str
    graph: str
    nquads: bytes  # the graph's lines, each ending in " <graph> .\n"
    triples: int
    modified: str | None  # the record's last update post date
    digest: str = ""  # of the lines: sha256:<hex> (made from nquads when not given)

    def content_digest(self) -> str:
        return self.digest or digest_of(self.nquads)


def trial_of(block: GraphBlock, nquads: bytes, digest: str = "") -> TrialGraph:
    """The trial graph of a block of N-Quads lines (its NCT id is the graph IRI's last part);
    ``nquads`` the lines to keep with it (none, for a pass that only surveys the file)."""
    return TrialGraph(block.graph.rsplit("/", 1)[-1], block.graph, nquads, block.triples,
                      block.modified(), digest)


def digest_of(nquads: bytes) -> str:
    """What the description graph records of a graph's content (``kg:contentDigest``)."""
    return "sha256:" + hashlib.sha256(nquads).hexdigest()


@dataclass
class LoadSummary:
    loaded: list[str] = field(default_factory=list)
    not_loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # --since: the stored version is current
    unchanged: list[str] = field(default_factory=list)  # the same content is stored already
    failed_inputs: int = 0
    error: str = ""
    refused: dict[str, str] = field(default_factory=dict)  # NCT id -> why it was not loaded

    @property
    def ok(self) -> bool:
        return not self.not_loaded and not self.failed_inputs and not self.error

    def counted_once(self) -> LoadSummary:
        """The summary with each trial named once: a trial loaded twice in one run (a later
        copy replacing the first) is one loaded trial."""
        loaded = list(dict.fromkeys(self.loaded))
        done = set(loaded)
        return LoadSummary(loaded, list(dict.fromkeys(self.not_loaded)), self.skipped,
                           [t for t in dict.fromkeys(self.unchanged) if t not in done],
                           self.failed_inputs, self.error, self.refused)

    def add(self, other: LoadSummary) -> None:
        """Count another load of the same run in this one."""
        self.loaded += other.loaded
        self.not_loaded += other.not_loaded
        self.skipped += other.skipped
        self.unchanged += other.unchanged
        self.failed_inputs += other.failed_inputs
        self.error = self.error or other.error
        self.refused.update(other.refused)


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
    are parsed by Oxigraph; JSON-LD kg did not write by rdflib (remote contexts refused), cut
    into trials by the one rule of :mod:`kg.serialize.trial_cut`."""
    fmt = rdf_format_of(path).oxigraph
    try:
        texts = trial_texts(path)
        if texts is not None:
            for text in texts:
                block = text.block()
                yield trial_of(block, block.data)
            return
        by_graph: dict[str, list] = {}
        if fmt is ox.RdfFormat.TRIG:
            for quad in ox.parse(path=str(path), format=fmt):
                if isinstance(quad.graph_name, ox.NamedNode):
                    by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        else:
            from kg.serialize.rdf_files import rdflib_graph

            graph = rdflib_graph(path).serialize(format="nt", encoding="utf-8")
            for block in ntriples_trials(graph):
                yield trial_of(block, block.data)
    except QuadsError as exc:
        raise InputError(str(exc)) from exc
    except KgError as exc:
        raise InputError(str(exc)) from exc
    except Exception as exc:  # rdflib raises many kinds for malformed input
        raise InputError(f"{path}: cannot read as RDF: {_first_line(exc)}") from exc
    for graph_iri, triples in by_graph.items():
        block = GraphBlock(graph_iri, "".join(sorted({f"{t} <{graph_iri}> .\n"
                                                      for t in triples})).encode())
        yield trial_of(block, block.data)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().split("\n", 1)[0] or type(exc).__name__)[:300]


