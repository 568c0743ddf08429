"""What a person sees of a trial or a node: the graph read into sections for the templates.

Every value shown is a :class:`Shown`: text, and a link for an IRI (a page of this server for
the served base and the vocabulary, the IRI itself otherwise). Terms show their ontology label,
never a raw IRI; every fact of the trial node is also listed at the end, so each IRI on the
page is a link.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from kg.grounding.mesh import iri_curie
from kg.grounding.mesh import matches as mesh_matches
from kg.mapping import MappedRecord
from kg.rdf import RDF_TYPE, Literal
from kg.serve.resources import label
from kg.vocab import KG, KG_NS, MESH_NS, QB, SDMX_MEASURE, SDO, SKOS

_WEB = re.compile(r"https?://", re.IGNORECASE)
CAP = 500  # items of one list a page shows; the rest are in the trial's RDF, linked


def capped(items: list, more: dict[str, int], name: str) -> list:
    """The first :data:`CAP` items; how many more there are is noted under ``name``."""
    if len(items) > CAP:
        more[name] = len(items) - CAP
    return items[:CAP]


@dataclass(frozen=True)
class Shown:
    text: str
    href: str | None = None
    local: str | None = None  # this server's page about an outside IRI, where it has one


class Links:
    """Where an IRI links to on this server."""

    def __init__(self, base: str) -> None:
        self.base = base

    def href(self, iri: str) -> str:
        """This server's path for an IRI it serves, the IRI itself for a web IRI, and "" (no
        link) for any other scheme: data given to kg load may hold ``javascript:`` IRIs."""
        if iri.startswith(self.base):
            return "/id/" + iri[len(self.base):]
        if iri.startswith(KG_NS):
            return "/vocab#" + iri[len(KG_NS):]
        return iri if _WEB.match(iri) else ""

    def describe(self, iri: str) -> str | None:
        """A local page for an outside IRI the data describes (an article, a MeSH term)."""
        if iri.startswith(self.base) or iri.startswith(KG_NS):
            return None
        return "/describe?iri=" + quote(iri, safe="")


class Graph:
    """One trial's triples by subject and predicate."""

    def __init__(self, triples: list) -> None:
        self.spo: dict[str, dict[str, list]] = {}
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p, []).append(o)

    def all(self, node: str, predicate: str) -> list:
        return sorted(self.spo.get(node, {}).get(predicate, []), key=_order)

    def one(self, node: str, predicate: str):
        found = self.all(node, predicate)
        return found[0] if found else None

    def text(self, node: str, predicate: str) -> str:
        value = self.one(node, predicate)
        return "" if value is None else value[0] if isinstance(value, Literal) else label(value)

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted(s for s, props in self.spo.items() if obj in props.get(predicate, ()))


def _order(value) -> tuple:
    """Numbered parts in number order (outcome 2 before outcome 10), others by text."""
    text = value if isinstance(value, str) else value[0]
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


@dataclass
class Section:
    title: str
    rows: list[tuple[str, list[Shown]]] = field(default_factory=list)


@dataclass
class Table:
    title: str
    caption: str
    header: list[str]
    rows: list[list[str]]


DATES = ("startDate", "primaryCompletionDate", "completionDate", "studyFirstSubmitDate",
         "studyFirstPostDate", "resultsFirstPostDate", "lastUpdatePostDate", "statusVerifiedDate")
DESIGN = ("studyType", "allocation", "interventionModel", "primaryPurpose", "masking",
          "whoMasked", "observationalModel", "timePerspective")


class TrialPage:
    """The sections of one trial's page."""

    def __init__(self, record: MappedRecord, links: Links) -> None:
        self.record = record
        self.trial = record.trial
        self.graph = Graph(record.triples)
        self.links = links
        self.more: dict[str, int] = {}  # list -> items not shown

    def shown(self, value) -> Shown:
        if isinstance(value, Literal):
            return Shown(value[0])
        name = self.graph.text(value, SDO.name)
        return Shown(name or label(value), self.links.href(value), self.links.describe(value)
                     if value in self.graph.spo else None)

    def values(self, node: str, predicate: str) -> list[Shown]:
        return [self.shown(v) for v in self.graph.all(node, predicate)]

    @property
    def title(self) -> str:
        return self.graph.text(self.trial, SDO.name)

    def summary(self) -> Section:
        g, t = self.graph, self.trial
        section = Section("Summary")
        for name, predicate in (("NCT id", None), ("Official title", KG.officialTitle),
                                ("Acronym", SDO.alternateName), ("Status", SDO.status),
                                ("Last known status", KG.lastKnownStatus), ("Phase", KG.phase),
                                ("Enrollment", KG.enrollment),
                                ("Registry page", SDO.url)):
            if predicate is None:
                section.rows.append((name, [Shown(self.record.nct_id)]))
                continue
            found = self.values(t, predicate)
            if predicate == KG.enrollment and found:
                kind = g.text(t, KG.enrollmentType)
                found = [Shown(f"{found[0].text} participants" + (f" ({kind.lower()})"
                                                                  if kind else ""))]
            if predicate == SDO.url:
                found = [Shown(v.href or v.text, v.href) for v in found]
            if found:
                section.rows.append((name, found))
        for name in DATES:
            value = g.one(t, KG_NS + name)
            if value is not None:
                kind = g.text(t, KG_NS + name + "Type")
                section.rows.append((label(KG_NS + name).capitalize(),
                                     [Shown(value[0] + (f" ({kind.lower()})" if kind else ""))]))
        return section

    def design(self) -> Section:
        section = Section("Design")
        for name in DESIGN:
            found = self.values(self.trial, KG_NS + name)
            if found:
                section.rows.append((label(KG_NS + name).capitalize(), found))
        designs = self.values(self.trial, SDO.trialDesign) + self.values(self.trial,
                                                                         SDO.studyDesign)
        if designs:
            section.rows.append(("schema.org design", designs))
        return section

    def sponsors(self) -> Section:
        section = Section("Sponsors")
        for name, predicate in (("Lead sponsor", KG.leadSponsor), ("Collaborators",
                                                                   KG.collaborator),
                                ("Registered by", KG.registeringOrganization)):
            found = self.values(self.trial, predicate)
            if found:
                section.rows.append((name, found))
        return section

    def conditions(self) -> list[dict]:
        """Each condition with, for a MeSH term, what the mapping sets match it with (MONDO,
        and MONDO's DOID, EFO, ICD-10-CM...)."""
        found = []
        for condition in capped(self.graph.all(self.trial, SDO.healthCondition), self.more,
                                "conditions"):
            shown = self.shown(condition)
            if condition.startswith(MESH_NS):
                shown = Shown(f"{shown.text} (MeSH {condition[len(MESH_NS):]})", condition,
                              self.links.describe(condition))
            tied = [Shown(f"MeSH {m[len(MESH_NS):]}", m, self.links.describe(m))
                    for m in self.graph.all(condition, KG.meshDescriptor)]
            found.append({"name": shown, "matches": tied + self.matches(condition)})
        return found

    def interventions(self) -> list[dict]:
        g = self.graph
        return [{"name": self.shown(i), "type": g.text(i, KG.interventionType),
                 "description": g.text(i, SDO.description),
                 "other": [v[0] for v in g.all(i, SDO.alternateName)],
                 "mesh": [Shown(f"MeSH {m[len(MESH_NS):]} {g.text(m, SDO.name)}".strip(), m,
                                self.links.describe(m)) for m in g.all(i, KG.meshDescriptor)],
                 "matches": [x for m in g.all(i, KG.meshDescriptor) for x in self.matches(m)]}
                for i in capped(g.all(self.trial, SDO.studySubject), self.more, "interventions")]

    def matches(self, node: str) -> list[Shown]:
        """The terms of other vocabularies a node is matched with (SKOS), as CURIE and label,
        each linking to its IRI; a MONDO term's own matches follow it."""
        found = []
        names = {m.target: m.label for m in mesh_matches(iri_curie(node) or "")}
        for predicate in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch):
            for target in self.graph.all(node, predicate):
                curie = iri_curie(target) or target
                relation = "" if predicate == SKOS.exactMatch else f"{label(predicate)}: "
                found.append(Shown(f"{relation}{curie} {names.get(curie, '')}".strip(),
                                   self.links.href(target)))
                if curie.startswith("MONDO:"):
                    found += self.matches(target)
        return found

    def arms(self) -> list[dict]:
        g = self.graph
        return [{"name": self.shown(a), "type": g.text(a, KG.armGroupType),
                 "description": g.text(a, SDO.description),
                 "interventions": self.values(a, KG.intervention)}
                for a in capped(g.all(self.trial, KG.armGroup), self.more, "arms")]

    def outcomes(self) -> list[dict]:
        g = self.graph
        found = []
        for kind, predicate in (("Primary", KG.primaryOutcome), ("Secondary", KG.secondaryOutcome),
                                ("Other", KG.otherOutcome)):
            for outcome in g.all(self.trial, predicate):
                found.append({"kind": kind, "name": self.shown(outcome),
                              "time": g.text(outcome, KG.timeFrame),
                              "description": g.text(outcome, SDO.description)})
        return found

    def eligibility(self) -> Section:
        g = self.graph
        node = g.one(self.trial, KG.eligibility)
        section = Section("Eligibility")
        if node is None:
            return section
        for name, predicate in (("Sex", KG.sex), ("Healthy volunteers", KG.healthyVolunteers),
                                ("Age groups", KG.stdAge)):
            found = self.values(node, predicate)
            if found:
                section.rows.append((name, found))
        for name, predicate in (("Minimum age", KG.minimumAge), ("Maximum age", KG.maximumAge)):
            age = g.one(node, predicate)
            if age is not None:
                section.rows.append((name, [Shown(f"{g.text(age, SDO.value)} "
                                                  f"{g.text(age, SDO.unitText)}".strip())]))
        criteria = g.text(node, KG.eligibilityCriteria)
        if criteria:
            section.rows.append(("Criteria", [Shown(criteria)]))
        return section

    def sites(self) -> dict:
        g = self.graph
        sites = g.all(self.trial, KG.site)
        countries: Counter = Counter()
        listed = []
        for site in sites:
            address = g.one(site, SDO.address)
            country = g.text(address, SDO.addressCountry) if address else ""
            countries[country or "country not given"] += 1
            listed.append({"name": self.shown(site),
                           "place": ", ".join(p for p in (
                               g.text(address, SDO.addressLocality) if address else "",
                               country) if p),
                           "status": g.text(site, KG.recruitmentStatus)})
        return {"count": len(sites), "countries": sorted(countries.items(),
                                                         key=lambda c: (-c[1], c[0])),
                "listed": listed[:100]}

    def references(self) -> list[dict]:
        g = self.graph
        found = []
        for article in capped(g.all(self.trial, SDO.citation), self.more, "references"):
            name = g.text(article, SDO.name) or g.text(article, KG.citationText)
            found.append({"name": Shown(name, self.links.describe(article)
                                        or self.links.href(article)),
                          "iri": self.shown_iri(article),
                          "pubmed": [self.shown_iri(v) for v in g.all(article, SDO.sameAs)]})
        return found

    def shown_iri(self, iri: str) -> Shown:
        return Shown(iri, self.links.href(iri), self.links.describe(iri))

    def results(self) -> list[Table]:
        """Posted results: participant flow, each outcome measure's table, adverse events per
        group; every number in its group's column."""
        g, tables = self.graph, []
        flow = g.one(self.trial, KG.participantFlow)
        for period in g.all(flow, KG.flowPeriod) if flow else []:
            groups = g.all(flow, KG.hasGroup)
            rows = []
            for milestone in g.all(period, KG.periodMilestone):
                cells = {g.one(c, KG.group): g.text(c, SDMX_MEASURE.obsValue)
                         for c in g.subjects(KG.milestone, milestone)}
                rows.append([g.text(milestone, KG.milestoneType).replace("_", " ").capitalize()]
                            + [cells.get(group, "") for group in groups])
            tables.append(Table(f"Participant flow: {g.text(period, SDO.name)}", "participants",
                                ["Milestone", *(g.text(x, SDO.name) for x in groups)], rows))
        for result in g.all(self.trial, KG.outcomeResult):
            tables.append(self._measure_table(result))
        events = g.one(self.trial, KG.adverseEvents)
        if events:
            rows = []
            for group in g.all(events, KG.hasGroup):
                rows.append([g.text(group, SDO.name)] + [
                    f"{g.text(group, KG_NS + kind + 'NumAffected')} / "
                    f"{g.text(group, KG_NS + kind + 'NumAtRisk')}"
                    for kind in ("serious", "other", "deaths")])
            tables.append(Table("Adverse events per group", "affected / at risk",
                                ["Group", "Serious", "Other", "Deaths"], rows))
        return tables

    def _measure_table(self, result: str) -> Table:
        g = self.graph
        groups = g.all(result, KG.hasGroup)
        cells = g.subjects(QB.dataSet, result)
        rows: dict[tuple, dict] = {}
        for cell in cells:
            row = tuple(g.text(part, SDO.name) if part else ""
                        for part in (g.one(cell, KG.measureClass), g.one(cell, KG.category)))
            value = g.text(cell, SDMX_MEASURE.obsValue)
            spread = g.text(cell, KG.spread)
            lower, upper = g.text(cell, KG.lowerLimit), g.text(cell, KG.upperLimit)
            text = value + (f" ± {spread}" if spread else "") + (
                f" ({lower} to {upper})" if lower or upper else "")
            rows.setdefault(row, {})[g.one(cell, KG.group)] = text
        kind = g.text(result, KG.outcomeType)
        unit = g.text(result, KG.unitOfMeasure)
        caption = ", ".join(p for p in (g.text(result, KG.paramType), g.text(
            result, KG.dispersionType), unit) if p)
        return Table(f"{kind} outcome: {g.text(result, SDO.name)}".strip(": "), caption,
                     ["", *(g.text(x, SDO.name) for x in groups)],
                     [[" / ".join(p for p in row if p)] + [found.get(x, "") for x in groups]
                      for row, found in sorted(rows.items())])

    def facts(self) -> list[tuple[Shown, list[Shown]]]:
        """Every fact of the trial node: what the sections show, and the rest."""
        spo = self.graph.spo.get(self.trial, {})
        return [(Shown(label(p), self.links.href(p) if p != RDF_TYPE else None),
                 [self.shown(v) for v in capped(self.graph.all(self.trial, p), self.more,
                                                f"facts of {label(p)}")])
                for p in sorted(spo, key=label)]


class NodePage:
    """Any other node: its facts, and the trials that point to it."""

    def __init__(self, iri: str, triples: list, names: Callable[[set[str]], dict[str, str]],
                 links: Links, mentioned: list[str]) -> None:
        self.iri = iri
        self.links = links
        self.graph = Graph(triples)
        iris = {o for _, _, o in triples if isinstance(o, str)} | set(mentioned)
        self.names = names(iris)
        self.mentioned = [Shown(self.names.get(t, t.rsplit("/", 1)[-1]), links.href(t))
                          for t in mentioned]

    @property
    def title(self) -> str:
        name = self.graph.text(self.iri, SDO.name)
        return name or label(self.iri)

    def shown(self, value) -> Shown:
        if isinstance(value, Literal):
            return Shown(value[0])
        return Shown(self.names.get(value) or label(value), self.links.href(value),
                     self.links.describe(value))

    def facts(self) -> list[tuple[Shown, list[Shown]]]:
        spo = self.graph.spo.get(self.iri, {})
        return [(Shown(label(p), self.links.href(p) if p != RDF_TYPE else None),
                 [self.shown(v) for v in self.graph.all(self.iri, p)])
                for p in sorted(spo, key=label)]
