"""designModule: study type and class, phases, allocation, masking, enrollment, bio-specimens.

The study type decides the schema.org class. The registry's design facts each get a kg: term;
``schema:trialDesign`` / ``schema:studyDesign`` add the schema.org members they imply, so a
consumer that knows only schema.org still sees a randomised, double-blind, multi-centre trial.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import (
    BOOLEAN,
    INTEGER,
    NUMBER,
    TEXT,
    field_triples,
    module,
    nested,
    strings,
)
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "protocolSection.designModule"

STUDY_CLASS = {
    "INTERVENTIONAL": SDO.MedicalTrial,
    "OBSERVATIONAL": SDO.MedicalObservationalStudy,
    "EXPANDED_ACCESS": SDO.MedicalStudy,
}
STUDY_TYPE = Enumeration(
    "StudyType",
    kg_members(INTERVENTIONAL="Interventional", OBSERVATIONAL="Observational",
               EXPANDED_ACCESS="ExpandedAccess"),
    kg_class="StudyType",
)
PHASE = Enumeration(
    "Phase",
    kg_members(NA="PhaseNotApplicable", EARLY_PHASE1="EarlyPhase1", PHASE1="Phase1",
               PHASE2="Phase2", PHASE3="Phase3", PHASE4="Phase4"),
    kg_class="Phase",
)
ALLOCATION = Enumeration(
    "DesignAllocation",
    kg_members(RANDOMIZED="Randomized", NON_RANDOMIZED="NonRandomized",
               NA="AllocationNotApplicable"),
    kg_class="Allocation",
)
INTERVENTION_MODEL = Enumeration(
    "InterventionalAssignment",
    kg_members(SINGLE_GROUP="SingleGroupAssignment", PARALLEL="ParallelAssignment",
               CROSSOVER="CrossoverAssignment", FACTORIAL="FactorialAssignment",
               SEQUENTIAL="SequentialAssignment"),
    kg_class="InterventionModel",
)
PRIMARY_PURPOSE = Enumeration(
    "PrimaryPurpose",
    kg_members(TREATMENT="PurposeTreatment", PREVENTION="PurposePrevention",
               DIAGNOSTIC="PurposeDiagnostic", ECT="PurposeECT",
               SUPPORTIVE_CARE="PurposeSupportiveCare", SCREENING="PurposeScreening",
               HEALTH_SERVICES_RESEARCH="PurposeHealthServicesResearch",
               BASIC_SCIENCE="PurposeBasicScience", DEVICE_FEASIBILITY="PurposeDeviceFeasibility",
               OTHER="PurposeOther"),
    kg_class="PrimaryPurpose",
)
MASKING = Enumeration(
    "DesignMasking",
    kg_members(NONE="MaskingNone", SINGLE="MaskingSingle", DOUBLE="MaskingDouble",
               TRIPLE="MaskingTriple", QUADRUPLE="MaskingQuadruple"),
    kg_class="Masking",
)
WHO_MASKED = Enumeration(
    "WhoMasked",
    kg_members(PARTICIPANT="MaskedParticipant", CARE_PROVIDER="MaskedCareProvider",
               INVESTIGATOR="MaskedInvestigator", OUTCOMES_ASSESSOR="MaskedOutcomesAssessor"),
    kg_class="MaskedRole",
)
OBSERVATIONAL_MODEL = Enumeration(
    "ObservationalModel",
    kg_members(COHORT="ModelCohort", CASE_CONTROL="ModelCaseControl", CASE_ONLY="ModelCaseOnly",
               CASE_CROSSOVER="ModelCaseCrossover",
               ECOLOGIC_OR_COMMUNITY="ModelEcologicOrCommunity", FAMILY_BASED="ModelFamilyBased",
               DEFINED_POPULATION="ModelDefinedPopulation", NATURAL_HISTORY="ModelNaturalHistory",
               OTHER="ModelOther"),
    kg_class="ObservationalModel",
)
TIME_PERSPECTIVE = Enumeration(
    "DesignTimePerspective",
    kg_members(RETROSPECTIVE="Retrospective", PROSPECTIVE="Prospective",
               CROSS_SECTIONAL="CrossSectionalPerspective", OTHER="TimePerspectiveOther"),
    kg_class="TimePerspective",
)
BIOSPEC_RETENTION = Enumeration(
    "BioSpecRetention",
    kg_members(NONE_RETAINED="NoneRetained", SAMPLES_WITH_DNA="SamplesWithDNA",
               SAMPLES_WITHOUT_DNA="SamplesWithoutDNA"),
    kg_class="BioSpecRetention",
)
ENROLLMENT_TYPE = Enumeration(
    "EnrollmentType",
    kg_members(ACTUAL="Actual", ESTIMATED="Estimated"),
    kg_class="DateType",
)

# schema.org's MedicalTrialDesign members the registry's masking implies. Quadruple masking
# (participant, care provider, investigator and assessor) is at least triple-blind.
MASKING_DESIGN = {
    "NONE": SDO.OpenTrial,
    "SINGLE": SDO.SingleBlindedTrial,
    "DOUBLE": SDO.DoubleBlindedTrial,
    "TRIPLE": SDO.TripleBlindedTrial,
    "QUADRUPLE": SDO.TripleBlindedTrial,
}

DESIGN_FIELDS = (
    ("patientRegistry", KG.patientRegistry, BOOLEAN),
    ("targetDuration", KG.targetDuration, TEXT),
    ("nPtrsToThisExpAccNctId", KG.expandedAccessRecordCount, NUMBER),
)
DESIGN_INFO_FIELDS = (("interventionModelDescription", KG.interventionModelDescription, TEXT),)
MASKING_FIELDS = (("maskingDescription", KG.maskingDescription, TEXT),)
BIOSPEC_FIELDS = (("description", KG.bioSpecDescription, TEXT),)
ENROLLMENT_FIELDS = (("count", KG.enrollment, INTEGER),)
EXPANDED_ACCESS_TYPE_FIELDS = (
    ("individual", KG.expandedAccessIndividual, BOOLEAN),
    ("intermediate", KG.expandedAccessIntermediate, BOOLEAN),
    ("treatment", KG.expandedAccessTreatment, BOOLEAN),
)
# Design enums of designInfo: record key -> (predicate, enumeration).
DESIGN_INFO_ENUMS = (
    ("allocation", KG.allocation, ALLOCATION),
    ("interventionModel", KG.interventionModel, INTERVENTION_MODEL),
    ("primaryPurpose", KG.primaryPurpose, PRIMARY_PURPOSE),
    ("observationalModel", KG.observationalModel, OBSERVATIONAL_MODEL),
    ("timePerspective", KG.timePerspective, TIME_PERSPECTIVE),
)


def study_class(record: dict) -> str:
    """The schema.org class of the study; an unknown or missing type stays a MedicalStudy."""
    study_type = module(record, "protocolSection", "designModule").get("studyType")
    return STUDY_CLASS.get(study_type, SDO.MedicalStudy) if isinstance(study_type, str) \
        else SDO.MedicalStudy


def map_design(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    design = module(record, "protocolSection", "designModule")
    trial = ctx.trial
    cls = study_class(record)
    yield trial, RDF_TYPE, SDO.MedicalStudy
    if cls != SDO.MedicalStudy:
        yield trial, RDF_TYPE, cls
    if design.get("studyType") is not None:
        yield trial, KG.studyType, ctx.term(STUDY_TYPE, design["studyType"], f"{PATH}.studyType")
    for phase in strings(ctx, design, "phases", PATH):
        yield trial, KG.phase, ctx.term(PHASE, phase, f"{PATH}.phases")
    yield from field_triples(ctx, trial, design, DESIGN_FIELDS, PATH)

    info = nested(ctx, design, "designInfo", PATH)
    info_path = f"{PATH}.designInfo"
    for key, predicate, enumeration in DESIGN_INFO_ENUMS:
        if info.get(key) is not None:
            yield trial, predicate, ctx.term(enumeration, info[key], f"{info_path}.{key}")
    yield from field_triples(ctx, trial, info, DESIGN_INFO_FIELDS, info_path)
    masking = nested(ctx, info, "maskingInfo", info_path)
    masking_path = f"{info_path}.maskingInfo"
    if masking.get("masking") is not None:
        yield trial, KG.masking, ctx.term(MASKING, masking["masking"], f"{masking_path}.masking")
    for who in strings(ctx, masking, "whoMasked", masking_path):
        yield trial, KG.whoMasked, ctx.term(WHO_MASKED, who, f"{masking_path}.whoMasked")
    yield from field_triples(ctx, trial, masking, MASKING_FIELDS, masking_path)

    bio = nested(ctx, design, "bioSpec", PATH)
    if bio.get("retention") is not None:
        yield trial, KG.bioSpecRetention, ctx.term(
            BIOSPEC_RETENTION, bio["retention"], f"{PATH}.bioSpec.retention")
    yield from field_triples(ctx, trial, bio, BIOSPEC_FIELDS, f"{PATH}.bioSpec")

    enrollment = nested(ctx, design, "enrollmentInfo", PATH)
    if enrollment:
        yield from field_triples(ctx, trial, enrollment, ENROLLMENT_FIELDS,
                                 f"{PATH}.enrollmentInfo")
        if enrollment.get("type") is not None:
            yield trial, KG.enrollmentType, ctx.term(
                ENROLLMENT_TYPE, enrollment["type"], f"{PATH}.enrollmentInfo.type")
    access_types = nested(ctx, design, "expandedAccessTypes", PATH)
    if access_types:
        yield from field_triples(ctx, trial, access_types, EXPANDED_ACCESS_TYPE_FIELDS,
                                 f"{PATH}.expandedAccessTypes")

    if cls == SDO.MedicalTrial:
        for member in sorted(trial_design_members(record)):
            yield trial, SDO.trialDesign, member
    elif cls == SDO.MedicalObservationalStudy:
        for member in sorted(observational_design_members(record)):
            yield trial, SDO.studyDesign, member


def trial_design_members(record: dict) -> set[str]:
    """schema.org MedicalTrialDesign members implied by the design, arms and sites."""
    design = module(record, "protocolSection", "designModule")
    info = design.get("designInfo") if isinstance(design.get("designInfo"), dict) else {}
    masking = info.get("maskingInfo") if isinstance(info.get("maskingInfo"), dict) else {}
    members: set[str] = set()
    if info.get("allocation") == "RANDOMIZED":
        members.add(SDO.RandomizedTrial)
    if isinstance(masking.get("masking"), str) and masking["masking"] in MASKING_DESIGN:
        members.add(MASKING_DESIGN[masking["masking"]])
    arms = module(record, "protocolSection", "armsInterventionsModule").get("armGroups")
    if isinstance(arms, list) and any(isinstance(a, dict) and a.get("type") == "PLACEBO_COMPARATOR"
                                      for a in arms):
        members.add(SDO.PlaceboControlledTrial)
    locations = module(record, "protocolSection", "contactsLocationsModule").get("locations")
    if isinstance(locations, list) and locations:
        members.add(SDO.SingleCenterTrial if len(locations) == 1 else SDO.MultiCenterTrial)
        countries = {loc.get("country") for loc in locations
                     if isinstance(loc, dict) and isinstance(loc.get("country"), str)}
        if len(countries) > 1:
            members.add(SDO.InternationalTrial)
    return members


def observational_design_members(record: dict) -> set[str]:
    """schema.org MedicalObservationalStudyDesign members implied by the design."""
    design = module(record, "protocolSection", "designModule")
    info = design.get("designInfo") if isinstance(design.get("designInfo"), dict) else {}
    members = {SDO.Observational}
    if info.get("observationalModel") == "COHORT":
        members.add(SDO.CohortStudy)
    if info.get("timePerspective") == "CROSS_SECTIONAL":
        members.add(SDO.CrossSectional)
    if design.get("patientRegistry") is True:
        members.add(SDO.Registry)
    return members
