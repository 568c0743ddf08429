"""Biolink KGX: the trials graph as the nodes and edges files that the Translator, Monarch and
KG-Hub graphs merge (``nodes.tsv``/``edges.tsv``, or ``.jsonl``), under Biolink Model 4.4.6.

What Biolink has a place for, and nothing else (``docs/guide/kgx.md`` sets it beside the
Translator clinical-trials provider's and says what is left out and why):

- a trial is a ``biolink:ClinicalTrial`` (``CLINICALTRIALS:NCT…``) with the model's clinical
  trial slots: phase (a span such as ``clinical_trial_phase_2_to_3`` as the model spells it),
  overall status, brief title, enrolment and its type, start date, primary purpose,
  intervention model, age range and age stages, the conditions it studies, the drugs it
  tests (``clinical_trial_interventions``) and whether it tests one;
- a disease is what the trial's stated conditions are linked to (:mod:`kg.mapping.grounding`:
  MONDO, else MeSH), or, for a trial none of whose stated conditions is linked, the MeSH
  descriptors the registry indexed it under (MONDO where MONDO's set matches one);
- a drug is what a drug-like intervention the trial tests is linked to, one node a substance (a combination
  gives one a component), named by the id a Translator node normaliser prefers among those kg
  holds (Biolink's ``id_prefixes``: ChEBI, then ChEMBL, then MeSH), the others as ``xref``,
  with its most specific category (``SmallMolecule`` for a ChEBI drug, ``Drug`` otherwise,
  ``ChemicalEntity`` for a supplement);
- ``biolink:in_clinical_trials_for`` from each drug a trial tests to each of its diseases,
  aggregated over the interventional trials with a phase that were not withdrawn, with
  ``max_research_phase``, ``elevate_to_prediction`` (phase 1 to 3) and
  ``has_supporting_studies``. A drug the trial tests is one given in an experimental (or
  other) arm and not in every comparator arm; a drug given only as a comparator or as
  everyone's background is not tested, and a trial without arm types tests every drug;
- a publication is its ``PMID:`` and ``biolink:mentions`` the trial where the record lists it
  as a result or derived from the trial; background references are not about the trial.

Every edge carries ``primary_knowledge_source`` (the registry), ``aggregator_knowledge_source``
(kg, described in ``graph-metadata.json``), ``knowledge_level`` and ``agent_type``. Text is
made safe for every reader of the files (:func:`clean`). :func:`trial_rows` is pure, run where
the mapping runs; :class:`kg.pipeline.outputs.KgxOutputs` writes the rows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from functools import cache

import orjson

from kg.grounding.mesh import curie_iri, iri_curie, matches
from kg.grounding.text import label
from kg.mapping import MappedRecord
from kg.rdf import RDF_TYPE, Literal
from kg.serialize.base import Format
from kg.vocab import ENUMERATIONS, KG, MESH_NS, SDO, SKOS, SSSOM

BIOLINK_VERSION = "4.4.6"
INFORES = "infores:clinicaltrials"
AGGREGATOR = "infores:ctkg"  # kg, as graph-metadata.json describes it
PROVENANCE = {"primary_knowledge_source": INFORES, "aggregator_knowledge_source": [AGGREGATOR],
              "knowledge_level": "knowledge_assertion", "agent_type": "manual_agent"}
NODE_COLUMNS = ("id", "category", "name", "xref", "iri", "provided_by", "clinical_trial_phase",
                "clinical_trial_overall_status", "clinical_trial_brief_title",
                "clinical_trial_enrollment", "clinical_trial_enrollment_type",
                "clinical_trial_start_date", "clinical_trial_primary_purpose",
                "clinical_trial_intervention_model", "clinical_trial_age_range",
                "clinical_trial_age_stage", "clinical_trial_conditions",
                "clinical_trial_interventions", "clinical_trial_tested_intervention")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "primary_knowledge_source",
                "aggregator_knowledge_source", "knowledge_level", "agent_type",
                "max_research_phase", "elevate_to_prediction", "has_supporting_studies")
# kg's CURIE prefix -> Biolink's, and Biolink's prefix map's expansion of each (checked against
# the biolink-model package by tests/test_kgx.py); ICD10CM has none in 4.4.6.
KGX_PREFIXES = {"MONDO": "MONDO", "CHEBI": "CHEBI", "CHEMBL": "CHEMBL.COMPOUND", "MESH": "MESH",
                "DOID": "DOID", "EFO": "EFO", "NCIT": "NCIT", "OMIM": "OMIM", "HP": "HP",
                "Orphanet": "ORDO"}
EXPANSIONS = {"MONDO": "http://purl.obolibrary.org/obo/MONDO_",
              "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
              "CHEMBL.COMPOUND": "http://identifiers.org/chembl.compound/",
              "MESH": "http://id.nlm.nih.gov/mesh/",
              "CLINICALTRIALS": "http://identifiers.org/clinicaltrials/",
              "PMID": "http://www.ncbi.nlm.nih.gov/pubmed/"}
# Each registry as the primary knowledge source of what its registrations say. The Translator's
# infores catalog names only ClinicalTrials.gov among trial registries; the others' infores ids
# follow its rule (the source's short name) and graph-metadata.json lists them as such.
REGISTRY_INFORES = {"EU CTR": "infores:euctr", "EU CTIS": "infores:ctis",
                    "ISRCTN": "infores:isrctn", "DRKS": "infores:drks"}
WHO_INFORES = "infores:who-ictrp"
# A drug's ids in the order Biolink's id_prefixes (and so a node normaliser) prefer them.
DRUG_PREFERENCE = ("CHEBI", "CHEMBL.COMPOUND", "MESH")
DRUG_TYPES = frozenset({"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "DIETARY_SUPPLEMENT"})
COMPARATORS = frozenset({"ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR",
                         "NO_INTERVENTION"})
# Registry phase -> Biolink ResearchPhaseEnum; two phases (PHASE1, PHASE2) are the span.
PHASES = {"EARLY_PHASE1": "clinical_trial_phase", "PHASE1": "clinical_trial_phase_1",
          "PHASE2": "clinical_trial_phase_2", "PHASE3": "clinical_trial_phase_3",
          "PHASE4": "clinical_trial_phase_4"}
SPANS = {("PHASE1", "PHASE2"): "clinical_trial_phase_1_to_2",
         ("PHASE2", "PHASE3"): "clinical_trial_phase_2_to_3"}
PHASE_ORDER = ("not_provided", "clinical_trial_phase", "clinical_trial_phase_1",
               "clinical_trial_phase_1_to_2", "clinical_trial_phase_2",
               "clinical_trial_phase_2_to_3", "clinical_trial_phase_3", "clinical_trial_phase_4")
# Phases whose findings Translator's inference may elevate to a prediction: 1 to 3.
PREDICTIVE = frozenset(PHASE_ORDER[2:7])
AGE_STAGES = {"CHILD": "child", "ADULT": "adult", "OLDER_ADULT": "older_adult"}
MENTIONING = frozenset({"RESULT", "DERIVED"})
# Every character a reader may take for the end of a line (Python's str.splitlines() takes all
# of these), and the tab: a space in any text kg writes into KGX.
_BREAKS = re.compile("[\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]")


def clean(value: object) -> object:
    """Text as every KGX reader reads it back: no line break of any kind, no tab. (The TSV
    writer also keeps ``|``, KGX's list delimiter, and ``"`` out of its cells: :func:`cell`.)"""
    if isinstance(value, str):
        return _BREAKS.sub(" ", value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def cell(value: object) -> str:
    """A TSV cell by KGX's rules: a list joined by ``|``; inside one value, ``|`` (which kgx
    would split into a list) written ``¦`` and ``"`` (which opens a quoted field for a CSV
    reader of the default dialect) written ``”``."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(cell(v) for v in value)
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(clean(str(value))).replace("|", "¦").replace('"', "”")


@cache
def _codes() -> dict[str, str]:
    """Term IRI -> the registry's code for it (``kg:Phase2`` -> ``PHASE2``)."""
    return {iri: code for e in ENUMERATIONS.values() for code, iri in e.terms.items()}


def kgx_curie(iri: str) -> str | None:
    """The CURIE Biolink knows an IRI by, or None."""
    found = iri_curie(iri)
    if found is None:
        return None
    prefix, _, local = found.partition(":")
    if prefix == "Orphanet":
        return f"ORDO:Orphanet_{local}"
    return f"{KGX_PREFIXES[prefix]}:{local}" if prefix in KGX_PREFIXES else None


def expansion(curie: str) -> str:
    """A CURIE expanded through Biolink's prefix map (the ``iri`` column)."""
    prefix, _, local = curie.partition(":")
    return EXPANSIONS[prefix] + local


class _Graph:
    def __init__(self, triples) -> None:
        self.spo: dict = {}
        self.mappings: dict[str, list[str]] = {}  # node -> the sssom:Mapping nodes of its links
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p, []).append(o)
            if p == SSSOM.subject_id:
                self.mappings.setdefault(o, []).append(s)

    def all(self, s: str, p: str) -> list:
        return self.spo.get(s, {}).get(p, [])

    def text(self, s: str, p: str) -> str | None:
        found = [o for o in self.all(s, p) if isinstance(o, Literal)]
        return min(found)[0] if found else None

    def code(self, s: str, p: str) -> str | None:
        return next((_codes().get(o) for o in sorted(self.all(s, p))), None)

    def codes(self, s: str, p: str) -> list[str]:
        return sorted(c for c in (_codes().get(o) for o in self.all(s, p)) if c)


def _linked(g: _Graph, node: str, predicates: Iterable[str]) -> dict[str, list[str]]:
    """What a condition or an intervention is linked to, by the name each link grounded (its
    mapping's ``sssom:subject_label``: the whole name, or one component's), as KGX CURIEs."""
    found: dict[str, list[str]] = {}
    for mapping in sorted(g.mappings.get(node, ())):
        if any(p in predicates for p in g.all(mapping, SSSOM.predicate_id)):
            curie = kgx_curie(g.all(mapping, SSSOM.object_id)[0])
            if curie:
                found.setdefault(g.text(mapping, SSSOM.subject_label) or "", []).append(curie)
    return found


def _disease_nodes(g: _Graph, trial: str) -> list[dict]:
    """The trial's diseases: its stated conditions' links (exact or broader; MONDO, else
    MeSH), or the registry's MeSH index where no stated condition is linked."""
    found: dict[str, dict] = {}
    for condition in sorted(o for o in g.all(trial, SDO.healthCondition) if o.startswith(
            trial + "/")):
        for linked in _linked(g, condition, (SKOS.exactMatch, SKOS.broadMatch)).values():
            ids = [c for c in linked if c.startswith("MONDO:") or SDO.MedicalCondition in g.all(
                MESH_NS + c.partition(":")[2], RDF_TYPE)]  # not a procedure, a behaviour
            if not ids:
                continue
            best = min(ids, key=lambda c: (not c.startswith("MONDO:"), c))
            found.setdefault(best, _disease(best, [c for c in ids if c != best], None))
    if found:
        return list(found.values())
    for mesh in sorted(o for o in g.all(trial, SDO.healthCondition) if o.startswith(MESH_NS)):
        curie = f"MESH:{mesh[len(MESH_NS):]}"
        mondos = sorted(m.target for m in matches(curie)
                        if m.target.startswith("MONDO:") and m.predicate == SKOS.exactMatch)
        for best in mondos or [curie]:
            found.setdefault(best, _disease(best, [curie] if mondos else [],
                                            g.text(mesh, SDO.name)))
    return list(found.values())


def _disease(curie: str, others: list[str], name: str | None) -> dict:
    xrefs = set(others)
    if curie.startswith("MONDO:"):
        xrefs |= {c for c in (kgx_curie(curie_iri(m.target)) for m in matches(curie)) if c}
    return {"id": curie, "category": ["biolink:Disease"] if curie.startswith("MONDO:") else
            ["biolink:DiseaseOrPhenotypicFeature"], "name": _label(curie) or name,
            "xref": sorted(xrefs - {curie}), "iri": expansion(curie), "provided_by": [INFORES]}


def _label(curie: str) -> str | None:
    """A MONDO term's, a ChEBI entity's or a ChEMBL compound's preferred name."""
    prefix, _, local = curie.partition(":")
    return label("CHEMBL:" + local if prefix == "CHEMBL.COMPOUND" else curie)


def _tested(g: _Graph, trial: str) -> set[str]:
    """The interventions the trial tests: given in an experimental or other arm and not in
    every comparator arm; where no arm names its products, those whose registry role is
    "test"; every intervention where no arm says its type."""
    arms = [(arm, g.code(arm, KG.armGroupType), set(g.all(arm, KG.intervention)))
            for arm in g.all(trial, KG.armGroup)]
    everything = set(g.all(trial, SDO.studySubject))
    roles = {i: (g.text(i, KG.productRole) or "").casefold() for i in everything}
    if any(roles.values()) and not any(given for _, _, given in arms):
        # an EU register's products say their role (test, comparator, placebo, auxiliary)
        return {i for i, role in roles.items() if role == "test"}
    if not any(kind for _, kind, _ in arms):
        return everything
    comparators = [given for _, kind, given in arms if kind in COMPARATORS]
    background = set.intersection(*comparators) if comparators else set()
    return {i for _, kind, given in arms if kind not in COMPARATORS for i in given} - background


def _drug_nodes(g: _Graph, trial: str) -> tuple[list[dict], bool]:
    """The drug nodes of the drug-like interventions the trial tests, and whether it has
    drug-like interventions at all (a trial whose drugs are all comparators tests none)."""
    nodes: dict[str, dict] = {}
    tests = _tested(g, trial)
    any_drug = False
    for intervention in sorted(g.all(trial, SDO.studySubject)):
        kind = g.code(intervention, KG.interventionType)
        if kind not in DRUG_TYPES:
            continue
        any_drug = True
        if intervention not in tests:
            continue
        for name, ids in sorted(_linked(g, intervention, (SKOS.exactMatch, KG.hasComponent))
                                .items()):
            best = min(ids, key=lambda c: (DRUG_PREFERENCE.index(c.partition(":")[0]), c))
            category = "biolink:SmallMolecule" if best.startswith("CHEBI:") and kind == "DRUG" \
                else "biolink:ChemicalEntity" if kind == "DIETARY_SUPPLEMENT" else "biolink:Drug"
            nodes.setdefault(best, {
                "id": best, "category": [category], "name": _label(best) or name,
                "xref": sorted(set(ids) - {best}), "iri": expansion(best),
                "provided_by": [INFORES]})
    return list(nodes.values()), any_drug


def _age_range(g: _Graph, eligibility: str) -> str | None:
    def age(key: str) -> str | None:
        quantity = g.all(eligibility, key)
        if not quantity:
            return None
        value, unit = g.text(quantity[0], SDO.value), g.text(quantity[0], SDO.unitText)
        return f"{value} {unit}" if value and unit else None

    low, high = age(KG.minimumAge), age(KG.maximumAge)
    if low and high:
        return f"{low} to {high}"
    return f"{low} and older" if low else f"up to {high}" if high else None


def trial_source(g: _Graph, trial: str, key: str) -> tuple[str, str] | None:
    """A registration's KGX id and its registry's infores id. Biolink 4.4.6 knows one trial
    registry's CURIEs, ClinicalTrials.gov's, and ``kgx validate`` refuses any other prefix,
    so another registry's registration is the NCT trial its record says it is (the member-state
    records of a EudraCT trial stating one are that one node), and is left out where it states
    none."""
    if key.startswith("NCT"):
        return f"CLINICALTRIALS:{key}", INFORES
    ncts = sorted(g.text(node, SDO.value) or "" for node in g.all(trial, KG.sameTrialAs)
                  if g.text(node, SDO.propertyID) == "NCT")
    if not ncts:
        return None
    codes = g.all(trial, SDO.code)
    registry = g.text(codes[0], SDO.codingSystem) if codes else ""
    return f"CLINICALTRIALS:{ncts[0]}", REGISTRY_INFORES.get(registry, WHO_INFORES)


def trial_rows(mapped: MappedRecord) -> dict:
    """One trial's nodes and edges, and its (drug, disease, phase rank) pairs for the
    aggregated edges, as plain JSON-able values."""
    g = _Graph(mapped.triples)
    trial = mapped.trial
    source = trial_source(g, trial, mapped.nct_id)
    if source is None:
        return {"nodes": [], "edges": [], "pairs": []}
    trial_id, infores = source
    diseases = _disease_nodes(g, trial)
    drugs, any_drug = _drug_nodes(g, trial)
    phases = g.codes(trial, KG.phase)
    phase = SPANS.get(tuple(phases)) or (PHASES.get(phases[-1]) if phases else None)
    eligibility = next(iter(g.all(trial, KG.eligibility)), "")
    enrollment = g.text(trial, KG.enrollment)
    status = g.code(trial, SDO.status)
    node = {"id": trial_id, "category": ["biolink:ClinicalTrial"],
            "name": g.text(trial, SDO.name), "xref": [], "iri": expansion(trial_id),
            "provided_by": [infores],
            "clinical_trial_phase": phase or ("not_provided" if phases else None),
            "clinical_trial_overall_status": status,
            "clinical_trial_brief_title": g.text(trial, SDO.name),
            "clinical_trial_enrollment": int(enrollment) if enrollment else None,
            "clinical_trial_enrollment_type": g.code(trial, KG.enrollmentType),
            "clinical_trial_start_date": g.text(trial, KG.startDate),
            "clinical_trial_primary_purpose": g.code(trial, KG.primaryPurpose),
            "clinical_trial_intervention_model": g.code(trial, KG.interventionModel),
            "clinical_trial_age_range": _age_range(g, eligibility),
            "clinical_trial_age_stage": [AGE_STAGES[c] for c in g.codes(eligibility, KG.stdAge)
                                         if c in AGE_STAGES],
            "clinical_trial_conditions": sorted(d["id"] for d in diseases),
            "clinical_trial_interventions": sorted(d["id"] for d in drugs),
            "clinical_trial_tested_intervention": ("yes" if drugs else "no") if any_drug
            else None}
    nodes = [node, *diseases, *drugs]
    for row in nodes:
        row["provided_by"] = [infores]
    edges: list[dict] = []
    for reference in sorted(g.all(trial, KG.reference)):
        if g.code(reference, KG.referenceType) not in MENTIONING:
            continue
        for article in g.all(reference, KG.article):
            pmid = g.text(article, KG.pubmedId)
            if pmid is None:
                continue  # KGX's CURIE rule refuses the slash every DOI has
            nodes.append({"id": f"PMID:{pmid}", "category": ["biolink:Publication"],
                          "name": g.text(article, SDO.name), "xref": [],
                          "iri": expansion(f"PMID:{pmid}"), "provided_by": [infores]})
            edges.append(edge(f"PMID:{pmid}", "biolink:mentions", trial_id,
                              primary_knowledge_source=infores))
    pairs = []
    if g.code(trial, KG.studyType) == "INTERVENTIONAL" and phase and status != "WITHDRAWN":
        rank = PHASE_ORDER.index(phase)
        pairs = sorted({(drug["id"], disease["id"], rank, trial_id, infores) for drug in drugs
                        for disease in diseases})
    return {"nodes": [clean_row(n) for n in nodes], "edges": edges, "pairs": pairs}


def clean_row(row: dict) -> dict:
    return {key: clean(value) for key, value in row.items()}


def pair_edge(drug: str, disease: str, rank: int, trials: Iterable[str],
              infores: str = INFORES) -> dict:
    """The aggregated ``in_clinical_trials_for`` edge of a drug and a disease, from one
    registry's trials (each registry the primary source of its own edge)."""
    phase = PHASE_ORDER[rank]
    return edge(drug, "biolink:in_clinical_trials_for", disease, max_research_phase=phase,
                elevate_to_prediction=phase in PREDICTIVE,
                has_supporting_studies=sorted(trials), primary_knowledge_source=infores)


def edge(subject: str, predicate: str, obj: str, **slots) -> dict:
    """An edge with its provenance slots and an id that is the same for the same statement
    (from the same source)."""
    source = slots.get("primary_knowledge_source", INFORES)
    key = f"https://w3id.org/ctkg/kgx/{subject}|{predicate}|{obj}" + (
        f"|{source}" if source != INFORES else "")
    return {"id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}", "subject": subject,
            "predicate": predicate, "object": obj, **{**PROVENANCE, **slots}}


class Kgx(Format):
    """A record's KGX rows as one JSON document; :class:`KgxOutputs` writes the files."""

    extension = ".kgx.json"

    def render(self, mapped: MappedRecord) -> str:
        return orjson.dumps(trial_rows(mapped)).decode()
