"""Biolink KGX: the trials graph as the nodes and edges files that the Translator, Monarch and
KG-Hub graphs merge (``nodes.tsv``/``edges.tsv``, or ``.jsonl``), under Biolink Model 4.4.6.

What Biolink has a place for, and nothing else (the README lists what is left out and why):

- a trial is a ``biolink:ClinicalTrial`` (``CLINICALTRIALS:NCT…``) with the model's clinical
  trial slots: phase, overall status, brief title, enrolment and its type, start date, primary
  purpose, intervention model, and the conditions and interventions it studies (the model has
  these as node properties; it has no predicate from a study to what it studies);
- a disease is its MONDO id where MONDO's set matches the trial's MeSH descriptor, else the MeSH
  id (``biolink:Disease`` / ``biolink:DiseaseOrPhenotypicFeature``), its other ids in ``xref``;
- a drug is the ChEBI id of the MeSH descriptor its intervention stands for, else the MeSH id,
  categorised by the registry's intervention type; interventions tied to no descriptor have no
  id others share, and are left out;
- a publication is its ``PMID:`` (its DOI as its ``iri``) and ``biolink:mentions`` the trial;
  one without a PubMed id is left out, since KGX's CURIE rule refuses the slash every DOI has;
- ``biolink:in_clinical_trials_for`` from each drug to each disease, aggregated over the trials
  (interventional, with a phase) that test a drug-like intervention for it, with
  ``max_research_phase`` and ``has_supporting_studies``: the clinical-trials provider's shape.

Every edge carries ``primary_knowledge_source`` (the registry's infores id), ``knowledge_level``
and ``agent_type``. :func:`trial_rows` is pure, run where the mapping runs;
:class:`kg.pipeline.outputs.KgxOutputs` writes the rows in input order, each node once, and the
aggregated edges at the end, sorted.
"""

from __future__ import annotations

import uuid
from functools import cache

import orjson

from kg.grounding.mesh import iri_curie, matches
from kg.mapping import MappedRecord
from kg.rdf import Literal
from kg.serialize.base import Format
from kg.vocab import ENUMERATIONS, KG, MESH_NS, SDO, SKOS

BIOLINK_VERSION = "4.4.6"
INFORES = "infores:clinicaltrials"
PROVENANCE = {"primary_knowledge_source": INFORES, "knowledge_level": "knowledge_assertion",
              "agent_type": "manual_agent"}
NODE_COLUMNS = ("id", "category", "name", "xref", "iri", "provided_by", "clinical_trial_phase",
                "clinical_trial_overall_status", "clinical_trial_brief_title",
                "clinical_trial_enrollment", "clinical_trial_enrollment_type",
                "clinical_trial_start_date", "clinical_trial_primary_purpose",
                "clinical_trial_intervention_model", "clinical_trial_conditions",
                "clinical_trial_interventions")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "primary_knowledge_source",
                "knowledge_level", "agent_type", "max_research_phase", "has_supporting_studies")
# Biolink's spelling of the prefixes kg's mapping sets use; ICD10CM has none in 4.4.6.
KGX_PREFIXES = {"MONDO": "MONDO", "CHEBI": "CHEBI", "MESH": "MESH", "DOID": "DOID", "EFO": "EFO",
                "NCIT": "NCIT", "OMIM": "OMIM", "HP": "HP", "Orphanet": "ORDO"}
DRUG_TYPES = {"DRUG": ("biolink:Drug",), "BIOLOGICAL": ("biolink:Drug",),
              "COMBINATION_PRODUCT": ("biolink:Drug",),
              "DIETARY_SUPPLEMENT": ("biolink:ChemicalEntity",)}
OTHER_TYPES = {"PROCEDURE": ("biolink:Procedure",), "DEVICE": ("biolink:Device",)}
# Registry phase -> Biolink ResearchPhaseEnum; two phases (PHASE1, PHASE2) are the span.
PHASES = {"EARLY_PHASE1": "clinical_trial_phase", "PHASE1": "clinical_trial_phase_1",
          "PHASE2": "clinical_trial_phase_2", "PHASE3": "clinical_trial_phase_3",
          "PHASE4": "clinical_trial_phase_4"}
SPANS = {("PHASE1", "PHASE2"): "clinical_trial_phase_1_to_2",
         ("PHASE2", "PHASE3"): "clinical_trial_phase_2_to_3"}
PHASE_ORDER = ("not_provided", "clinical_trial_phase", "clinical_trial_phase_1",
               "clinical_trial_phase_1_to_2", "clinical_trial_phase_2",
               "clinical_trial_phase_2_to_3", "clinical_trial_phase_3", "clinical_trial_phase_4")


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


class _Graph:
    def __init__(self, triples) -> None:
        self.spo: dict = {}
        for s, p, o in triples:
            self.spo.setdefault(s, {}).setdefault(p, []).append(o)

    def all(self, s: str, p: str) -> list:
        return self.spo.get(s, {}).get(p, [])

    def text(self, s: str, p: str) -> str | None:
        found = [o for o in self.all(s, p) if isinstance(o, Literal)]
        return min(found)[0] if found else None


def _target(g: _Graph, mesh: str, prefix: str) -> str | None:
    """The term of ``prefix`` the trial's graph matches a MeSH node with."""
    found = sorted(o for o in g.all(mesh, SKOS.exactMatch) if (iri_curie(o) or "").startswith(
        prefix + ":"))
    return found[0] if found else None


def trial_rows(mapped: MappedRecord) -> dict:
    """One trial's nodes and edges, and its (drug, disease, phase) pairs for the aggregated
    edges, as plain JSON-able values."""
    g = _Graph(mapped.triples)
    codes = _codes()
    trial = mapped.trial
    trial_id = f"CLINICALTRIALS:{mapped.nct_id}"
    nodes: list[dict] = []
    edges: list[dict] = []

    diseases = []
    for mesh in sorted(o for o in g.all(trial, SDO.healthCondition) if o.startswith(MESH_NS)):
        mondo = _target(g, mesh, "MONDO")
        ident = kgx_curie(mondo) if mondo else f"MESH:{mesh[len(MESH_NS):]}"
        xrefs = [f"MESH:{mesh[len(MESH_NS):]}"] if mondo else []
        if mondo:
            xrefs += sorted(c for c in (kgx_curie(o) for o in g.all(mondo, SKOS.exactMatch)) if c)
        name = g.text(mesh, SDO.name)
        if mondo:
            name = next((m.label for m in matches(f"MESH:{mesh[len(MESH_NS):]}")
                         if m.target == iri_curie(mondo) and m.label), name)
        nodes.append({"id": ident, "category": ["biolink:Disease"] if mondo else
                      ["biolink:DiseaseOrPhenotypicFeature"], "name": name, "xref": xrefs,
                      "iri": mondo or mesh, "provided_by": [INFORES]})
        diseases.append(ident)

    drugs: list[tuple[str, str]] = []  # (id, registry intervention type)
    for intervention in sorted(g.all(trial, SDO.studySubject)):
        kind = next((codes.get(t, "") for t in g.all(intervention, KG.interventionType)), "")
        for mesh in sorted(g.all(intervention, KG.meshDescriptor)):
            chebi = _target(g, mesh, "CHEBI")
            ident = kgx_curie(chebi) if chebi else f"MESH:{mesh[len(MESH_NS):]}"
            name = g.text(mesh, SDO.name)
            if chebi:
                name = next((m.label for m in matches(f"MESH:{mesh[len(MESH_NS):]}")
                             if m.target == iri_curie(chebi) and m.label), name)
            category = DRUG_TYPES.get(kind) or OTHER_TYPES.get(kind) or (
                "biolink:ClinicalIntervention",)
            if chebi and "biolink:ChemicalEntity" not in category:
                category = (*category, "biolink:ChemicalEntity")
            nodes.append({"id": ident, "category": list(category), "name": name,
                          "xref": [f"MESH:{mesh[len(MESH_NS):]}"] if chebi else [],
                          "iri": chebi or mesh, "provided_by": [INFORES]})
            drugs.append((ident, kind))

    phases = sorted(codes.get(p, "") for p in g.all(trial, KG.phase))
    phase = SPANS.get(tuple(phases)) or (PHASES.get(phases[-1]) if phases else None)
    status = next((codes.get(s, "") for s in g.all(trial, SDO.status)), None)
    enrollment = g.text(trial, KG.enrollment)
    node = {"id": trial_id, "category": ["biolink:ClinicalTrial"],
            "name": g.text(trial, SDO.name), "xref": [], "iri": trial,
            "provided_by": [INFORES],
            "clinical_trial_phase": phase or ("not_provided" if phases else None),
            "clinical_trial_overall_status": status or None,
            "clinical_trial_brief_title": g.text(trial, SDO.name),
            "clinical_trial_enrollment": int(enrollment) if enrollment else None,
            "clinical_trial_enrollment_type": next(
                (codes.get(t) for t in g.all(trial, KG.enrollmentType)), None),
            "clinical_trial_start_date": g.text(trial, KG.startDate),
            "clinical_trial_primary_purpose": next(
                (codes.get(t) for t in g.all(trial, KG.primaryPurpose)), None),
            "clinical_trial_intervention_model": next(
                (codes.get(t) for t in g.all(trial, KG.interventionModel)), None),
            "clinical_trial_conditions": sorted(set(diseases)),
            "clinical_trial_interventions": sorted({d for d, _ in drugs})}
    nodes.insert(0, node)

    for reference in sorted(g.all(trial, KG.reference)):
        for article in g.all(reference, KG.article):
            pmid = g.text(article, KG.pubmedId)
            ident = f"PMID:{pmid}" if pmid else None
            if ident is None:
                continue
            nodes.append({"id": ident, "category": ["biolink:Publication"],
                          "name": g.text(article, SDO.name), "xref": [], "iri": article,
                          "provided_by": [INFORES]})
            edges.append(edge(ident, "biolink:mentions", trial_id))

    pairs = []
    study_type = next((codes.get(t) for t in g.all(trial, KG.studyType)), None)
    rank = max((PHASE_ORDER.index(PHASES[p]) for p in phases if p in PHASES), default=None)
    if study_type == "INTERVENTIONAL" and rank is not None:
        pairs = sorted({(drug, disease, rank, mapped.nct_id) for drug, kind in drugs
                        if kind in DRUG_TYPES for disease in diseases})
    return {"nodes": nodes, "edges": edges, "pairs": pairs}


def edge(subject: str, predicate: str, obj: str, **slots) -> dict:
    """An edge with its provenance slots and an id that is the same for the same statement."""
    key = f"https://w3id.org/ctkg/kgx/{subject}|{predicate}|{obj}"
    return {"id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}", "subject": subject,
            "predicate": predicate, "object": obj, **PROVENANCE, **slots}


class Kgx(Format):
    """A record's KGX rows as one JSON document; :class:`KgxOutputs` writes the files."""

    extension = ".kgx.json"

    def render(self, mapped: MappedRecord) -> str:
        return orjson.dumps(trial_rows(mapped)).decode()
