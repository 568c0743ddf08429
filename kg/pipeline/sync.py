"""``kg sync``: a store brought up to date with the registry, one command a day.

The store's description graph says when it was last brought up to date: the newest record
update date the last complete sync saw (``kg:syncedThrough``), or, for a store only ever
loaded, the newest ``dcterms:modified`` of its trials. Sync asks the registry for every record
updated on or after that day (``AREA[LastUpdatePostDate]RANGE[day,MAX]``: the day itself again,
since it may have gained records after the last run), maps, validates and loads them as
``kg load`` does (a trial whose content is stored already is left alone), optionally removes the
trials the registry no longer lists (``prune``), and records the run as a ``kg:SyncRun``.

A record met twice in one answer (records move between pages while a search is paged) is
one trial, its newer copy kept.

Interrupting it is safe: the run is recorded only once the registry's answer has been read to
the end, so a run that dies is redone from the same day; trials it had loaded come again
unchanged; a trial it was writing is listed in the description without a digest and is
replaced. A record that cannot be mapped is reported as failed and the run still completes
(the record comes again when the registry updates it); a registry that cannot be read ends the
run unrecorded.

Two answers of the registry are not taken on trust, since a run is unattended:
- the cursor never passes the run's own day (the earlier of this machine's UTC date and the
  registry's ``Date``): one record dated in the future would otherwise make every later run ask
  only for records updated after it. Such records are reported.
- pruning removes nothing when the registry's list contradicts itself or the store: an empty
  list, a list shorter than the ``totalCount`` it announced, or more removals than
  ``prune_max`` (by default the larger of 10 trials and 1% of the store) unless forced.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kg.ids import trial_iri
from kg.pipeline.export import ExportOptions, outcomes
from kg.pipeline.load_description import PREFIXES, StoredTrial, description_graph, stored_trials
from kg.pipeline.load_stream import load_stream
from kg.pipeline.trial_graphs import LoadSummary, TrialGraph, digest_of
from kg.pipeline.trial_groups import regroup
from kg.serialize.ntriples import iri, string
from kg.sources.api import RegistryClient, Search, SearchError
from kg.stores import Store
from kg.vocab import KG_NS

SYNC_RUN = KG_NS + "SyncRun"


@dataclass
class SyncSummary:
    since: str | None
    through: str | None = None
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_loaded: list[str] = field(default_factory=list)
    future: list[tuple[str, str]] = field(default_factory=list)  # (NCT id, date after today)
    prune_refused: str = ""  # why the registry's list was not used to remove trials
    error: str = ""

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_loaded or self.error or self.prune_refused)

    def line(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} "
                f"unchanged, {len(self.removed)} removed, {len(self.failed)} failed")


def today() -> str:
    """This machine's UTC date, YYYY-MM-DD."""
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def last_synced(store: Store, base: str) -> str | None:
    """The day the store is up to date through: the last complete sync's, else the newest
    record update date among the loaded trials; never after today (a store whose cursor an
    older kg moved into the future catches up again)."""
    desc = iri(description_graph(base))
    runs = store.query(PREFIXES + f"""
        SELECT ?through WHERE {{ GRAPH {desc} {{ ?run a <{SYNC_RUN}> ;
            <{KG_NS}syncedThrough> ?through ; prov:endedAtTime ?ended }} }}
        ORDER BY DESC(?ended) LIMIT 1""")
    if runs.rows and runs.rows[0][0]:
        return min(runs.rows[0][0]["value"], today())
    loaded = stored_trials(store, base)
    dates = [t.modified for t in loaded.values() if t.modified]
    return min(max(dates), today()) if dates else None


def prune_refusal(stored: int, listed: int, announced: int | None, removing: int,
                  prune_max: int | None, force: bool) -> str:
    """Why the registry's list of trials must not be used to remove any ("" when it may)."""
    if stored and not listed:
        return "the registry listed no trials at all; nothing removed"
    if announced is not None and announced != listed:
        return (f"the registry announced {announced:,} trials but its pages listed {listed:,}; "
                "nothing removed")
    limit = prune_max if prune_max is not None else max(10, stored // 100)
    if removing > limit and not force:
        return (f"{removing:,} of the store's {stored:,} trials would be removed, more than "
                f"{limit:,} (--prune-max); nothing removed: check the registry, then give a "
                "larger --prune-max or --force")
    return ""


def _record_run(store: Store, base: str, summary: SyncSummary, started: str, ended: str,
                source: str) -> None:
    desc = iri(description_graph(base))
    run = iri(f"{base}dataset/sync/{started.replace(':', '')}")
    counts = " ".join(f"<{KG_NS}trials{name.capitalize()}> {len(getattr(summary, name))} ;"
                      for name in ("added", "updated", "unchanged", "removed", "failed"))
    since = f"<{KG_NS}syncedSince> {string(summary.since)} ;" if summary.since else ""
    through = summary.through or summary.since
    through = f"<{KG_NS}syncedThrough> {string(through)} ;" if through else ""
    store.update(PREFIXES + f"""INSERT DATA {{ GRAPH {desc} {{
        {run} a prov:Activity, <{SYNC_RUN}> ; {since} {through} {counts}
            prov:used {iri(source)} ;
            prov:startedAtTime "{started}"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;
            prov:endedAtTime "{ended}"^^<http://www.w3.org/2001/XMLSchema#dateTime> . }} }}""")


def _remove(store: Store, base: str, graphs: list[str]) -> None:
    desc = iri(description_graph(base))
    for start in range(0, len(graphs), 200):
        part = graphs[start:start + 200]
        drops = "".join(f"DROP SILENT GRAPH {iri(g)} ;\n" for g in part)
        values = " ".join(iri(g) for g in part)
        store.update(PREFIXES + drops + f"""
            DELETE {{ GRAPH {desc} {{ ?g ?p ?o . ?d void:subset ?g }} }}
            WHERE {{ GRAPH {desc} {{ VALUES ?g {{ {values} }} ?g ?p ?o .
                                     OPTIONAL {{ ?d void:subset ?g }} }} }}""")


def sync(store: Store, registry: RegistryClient, base: str, options: ExportOptions,
         workers: int = 1, since: str | None = None, prune: bool = False, dry_run: bool = False,
         enricher=None, report: Callable[[str], None] = lambda line: None,
         on_trial: Callable[[str], None] = lambda nct_id: None, prune_max: int | None = None,
         force: bool = False) -> SyncSummary:
    """Bring ``store`` up to date with the registry (see the module's docstring)."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    started = now.isoformat()
    summary = SyncSummary(since=since if since is not None else last_synced(store, base))
    stored: dict[str, StoredTrial] = stored_trials(store, base)
    units = registry.search(Search(since=summary.since))
    options = ExportOptions(formats=("nquads",), base=base, validate=options.validate,
                            strict=options.strict, engine=options.engine)

    met: dict[str, str] = {}  # NCT id -> the last update of the copy loaded
    later: dict[str, TrialGraph] = {}  # a newer copy of a trial met again, loaded after

    def changed() -> Iterator[TrialGraph]:
        for outcome in outcomes(units, options, workers, enricher=enricher, each_once=False):
            for line in outcome.lines:
                report(line)
            if not outcome.nct_id:
                if outcome.failed:
                    summary.failed.append(outcome.lines[0] if outcome.lines else "a record")
                continue
            if outcome.failed:
                summary.failed.append(outcome.nct_id)
                continue
            if outcome.last_update and outcome.last_update > started[:10]:
                summary.future.append((outcome.nct_id, outcome.last_update))
            elif outcome.last_update and (summary.through is None
                                          or outcome.last_update > summary.through):
                summary.through = outcome.last_update
            graph = trial_iri(base, outcome.nct_id)
            trial = TrialGraph(outcome.nct_id, graph, outcome.blocks.get("nquads", b""),
                               outcome.triples, outcome.last_update,
                               digest_of(outcome.blocks.get("nquads", b"")))
            if outcome.nct_id in met:  # a record that moved between pages as they were read
                if (outcome.last_update or "") > met[outcome.nct_id]:
                    later[outcome.nct_id] = trial
                    met[outcome.nct_id] = outcome.last_update or ""
                report(f"warning: {outcome.nct_id}: met twice in the registry's answer; the "
                       "newer copy is kept")
                continue
            met[outcome.nct_id] = outcome.last_update or ""
            known = stored.get(graph)
            kind = summary.added if known is None else summary.unchanged \
                if known.digest == trial.digest else summary.updated
            kind.append(outcome.nct_id)
            on_trial(outcome.nct_id)
            if kind is not summary.unchanged and trial.nquads:
                yield trial

    try:
        if dry_run:
            for _ in changed():
                pass
        else:
            loaded: LoadSummary = load_stream(changed(), store, base, source=registry.base_url)
            if later and not loaded.error:
                loaded = load_stream(list(later.values()), store, base,
                                     source=registry.base_url)
            summary.not_loaded = loaded.not_loaded
            summary.error = loaded.error
    except SearchError as exc:
        summary.error = f"the registry could not be read to the end: {exc}"
        return summary
    if summary.error:
        return summary
    registry_day = min(started[:10], registry.answer_day or started[:10])
    if summary.through and summary.through > registry_day:
        summary.through = registry_day
    if summary.through is None and summary.since:
        summary.through = min(summary.since, registry_day)
    if prune:
        try:
            listed = {trial_iri(base, nct_id) for nct_id in registry.nct_ids()}
        except SearchError as exc:
            summary.error = f"the registry's list of trials could not be read: {exc}"
            return summary
        gone = sorted(g for g in stored if g not in listed)
        summary.prune_refused = prune_refusal(len(stored), len(listed), registry.total,
                                              len(gone), prune_max, force)
        if not summary.prune_refused:
            summary.removed = [g.rsplit("/", 1)[-1] for g in gone]
            if not dry_run:
                _remove(store, base, gone)
    if not dry_run:
        if summary.added or summary.updated or summary.removed:
            regroup(store, base)  # the trials the changed registrations belong to
        ended = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
        _record_run(store, base, summary, started, ended, registry.base_url)
    return summary
