"""What every registry's registration becomes: one writer for the facts each registry's
mapper (``kg/mapping/<registry>.py``) reads from its own record.

A registry's mapper reads its fields by their names into a :class:`Registration`; this module
writes it with the terms the ClinicalTrials.gov mapping writes (titles, sponsor, conditions and
interventions with their grounding, phases, status, enrolment, dates, countries and sites,
eligibility, outcomes) and the terms only other registries need (``kg:registryStatus`` and
``kg:registryPhase`` keep the registry's own words beside kg's term, ``kg:therapeuticArea``,
``kg:rareDisease``, ``kg:memberState``...). Each identifier the record states is a
``schema:PropertyValue``; one that names a registration of the trial elsewhere is also a
``kg:sameTrialAs`` link to that trial id's node, with the statement that says which field
said so (:func:`identity_triples`, which the ClinicalTrials.gov mapping calls too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.dates import partial_date
from kg.ids import country_iri, normalised_name
from kg.mapping.arms import ARM_GROUP_TYPE, INTERVENTION_CLASSES, INTERVENTION_TYPE
from kg.mapping.context import MappingContext
from kg.mapping.design import ENROLLMENT_TYPE, STUDY_TYPE
from kg.mapping.eligibility import age_triples
from kg.mapping.grounding import condition_links, intervention_links
from kg.mapping.organizations import organization
from kg.mapping.results import map_results
from kg.rdf import RDF_TYPE, Triple, boolean, integer, text
from kg.trial_ids import WEAK, TrialId
from kg.vocab import KG, SDO


@dataclass
class Condition:
    name: str
    codes: list[tuple[str, str, str]] = field(default_factory=list)  # (system, code, term)
    rare: bool | None = None


# MedDRA's levels that name a condition itself; the others (HLT, HLGT, SOC) name its class.
MEDDRA_TERMS = frozenset({"LLT", "PT"})


def add_meddra(conditions: list[Condition], term: str, code: str, level: str) -> None:
    """A MedDRA term the record classifies its conditions by: a code of the stated condition
    it names; else, a lowest-level or preferred term, a condition of its own (grounded by its
    words like any); else (a class) a code of the one stated condition, if there is one."""
    named = next((c for c in conditions if c.name.casefold() == term.casefold()), None)
    if named is None and level.upper() not in MEDDRA_TERMS and len(conditions) == 1:
        named = conditions[0]
    if named is None:
        named = Condition(term)
        conditions.append(named)
    named.codes.append(("MedDRA", code, term))


@dataclass
class Product:
    name: str
    kind: str = "DRUG"  # an INTERVENTION_TYPE key
    other_names: list[str] = field(default_factory=list)  # active substances, codes
    codes: list[tuple[str, str]] = field(default_factory=list)  # (system, code): ATC, EV
    role: str = ""  # the registry's role of it: "Test", "Comparator", "Placebo"...
    description: str = ""


@dataclass
class Stated:
    """An identifier the record states, and the field that states it."""

    trial_id: TrialId
    field: str
    same_trial: bool = True  # a registration of this trial (not a sponsor's protocol code)


@dataclass
class Registration:
    registry: str  # the registry's name, as ``schema:codingSystem``: "EU CTR", "ISRCTN"
    registry_id: str  # as the registry writes it: "2012-003632-23-GB"
    url: str
    own: list[TrialId]  # the trial ids this registration is registered as
    version: str = ""  # the record's own last update, for the links' kg:dataVersion
    title: str = ""
    official_title: str = ""
    acronym: str = ""
    other_titles: list[str] = field(default_factory=list)  # a lay title...
    summary: str = ""
    sponsor: str = ""
    sponsor_ror: str = ""  # the sponsor's ROR id, where the record states it
    funders: list[str] = field(default_factory=list)
    collaborators: list[str] = field(default_factory=list)
    stated: list[Stated] = field(default_factory=list)
    protocol_codes: list[str] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    therapeutic_areas: list[str] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    study_type: str = ""  # a kg: term
    phases: list[str] = field(default_factory=list)  # kg: terms
    registry_phase: str = ""
    status: str = ""  # a schema:/kg: status term
    registry_status: str = ""
    enrollment: int | None = None
    enrollment_actual: bool | None = None
    dates: dict[str, str] = field(default_factory=dict)  # kg: date predicate -> ISO text
    countries: list[str] = field(default_factory=list)
    member_state: str = ""
    member_states: list[dict] = field(default_factory=list)  # {code, name, first, latest, status}
    sites: list[tuple[str, str, str]] = field(default_factory=list)  # (name, city, country)
    inclusion: str = ""
    exclusion: str = ""
    sex: str = ""  # a kg: term
    minimum_age: str = ""  # "18 Years"
    maximum_age: str = ""
    healthy_volunteers: bool | None = None
    primary_outcomes: list[tuple[str, str]] = field(default_factory=list)  # (measure, time)
    secondary_outcomes: list[tuple[str, str]] = field(default_factory=list)
    has_results: bool | None = None
    arms: list[dict] = field(default_factory=list)  # {title, description, type, products}
    results: dict | None = None  # in the results model's field names (a resultsSection)
    facts: list[tuple[str, object]] = field(default_factory=list)  # (kg: predicate, value)
    terms: list[tuple[str, str]] = field(default_factory=list)  # (predicate, a kg: term)


def trial_id_iri(base: str, trial_id: TrialId) -> str:
    return f"{base}trial-id/{trial_id.slug}"


def identity_triples(ctx: MappingContext, own: list[TrialId], stated: list[Stated],
                     protocol_codes: list[str], values: bool = True) -> Iterator[Triple]:
    """The trial ids a registration is registered as, those it says are the same trial's,
    each with the field that says so, and the sponsor's protocol codes (weak evidence:
    a query may pair registrations by them, marked so; nothing merges them). ``values``
    False: the record's identifiers are written as values elsewhere (ClinicalTrials.gov's)."""
    trial = ctx.trial
    for trial_id in own:
        node = trial_id_iri(ctx.base, trial_id)
        yield trial, KG.registeredAs, node
        yield from _trial_id(node, trial_id)
    mine = set(own)
    for stated_id in stated:
        trial_id = stated_id.trial_id
        pv = ctx.child("identifier", trial_id.scheme.lower(), trial_id.value.replace("/", "-"))
        if values:
            yield trial, SDO.identifier, pv
            yield pv, RDF_TYPE, SDO.PropertyValue
            yield pv, SDO.propertyID, text(trial_id.scheme)
            yield pv, SDO.value, text(trial_id.value)
        if trial_id in mine or not stated_id.same_trial or trial_id.scheme == WEAK:
            continue
        node = trial_id_iri(ctx.base, trial_id)
        statement = ctx.child("same-trial", trial_id.scheme.lower(),
                              trial_id.value.replace("/", "-"))
        yield trial, KG.sameTrialAs, node
        yield from _trial_id(node, trial_id)
        yield statement, RDF_TYPE, KG.SameTrialStatement
        yield statement, KG.statedBy, trial
        yield statement, KG.trialId, node
        yield statement, KG.statedField, text(stated_id.field)
    for code in dict.fromkeys(c.strip() for c in protocol_codes if c and c.strip()):
        yield trial, KG.sponsorProtocolCode, text(code)


def _trial_id(node: str, trial_id: TrialId) -> Iterator[Triple]:
    yield node, RDF_TYPE, KG.TrialIdentifier
    yield node, RDF_TYPE, SDO.PropertyValue
    yield node, SDO.propertyID, text(trial_id.scheme)
    yield node, SDO.value, text(trial_id.value)


def registration_triples(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    trial = ctx.trial
    yield trial, RDF_TYPE, SDO.MedicalStudy
    yield trial, RDF_TYPE, SDO.MedicalObservationalStudy \
        if reg.study_type == STUDY_TYPE.terms["OBSERVATIONAL"] else SDO.MedicalTrial
    yield trial, SDO.url, reg.url
    code = ctx.child("code", "registry")
    yield trial, SDO.code, code
    yield code, RDF_TYPE, SDO.MedicalCode
    yield code, SDO.codeValue, text(reg.registry_id)
    yield code, SDO.codingSystem, text(reg.registry)
    for value, predicate in ((reg.title or reg.official_title, SDO.name),
                             (reg.official_title, KG.officialTitle),
                             (reg.acronym, SDO.alternateName), (reg.summary, SDO.description),
                             (reg.registry_status, KG.registryStatus),
                             (reg.registry_phase, KG.registryPhase)):
        if value:
            yield trial, predicate, text(value)
    for title in reg.other_titles:
        if title:
            yield trial, SDO.alternateName, text(title)
    yield from identity_triples(ctx, reg.own, reg.stated, reg.protocol_codes)
    yield from _parties(reg, ctx)
    yield from _conditions(reg, ctx)
    yield from _products(reg, ctx)
    yield from _design(reg, ctx)
    yield from _places(reg, ctx)
    yield from _eligibility(reg, ctx)
    yield from _outcomes(reg, ctx)
    yield from _arms(reg, ctx)
    if reg.results:
        yield from map_results({"resultsSection": reg.results}, ctx)
    for predicate, value in reg.facts:
        yield trial, predicate, _literal(value)
    for predicate, term in reg.terms:
        yield trial, predicate, term


def _literal(value: object):
    if isinstance(value, bool):
        return boolean(value)
    if isinstance(value, int):
        return integer(value)
    return partial_date(value) if isinstance(value, str) and _is_date(value) else text(str(value))


def _is_date(value: str) -> bool:
    return len(value) in (7, 10) and value[:4].isdigit() and value[4:5] == "-"


def _parties(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    path = "sponsor"
    if reg.sponsor:
        iri, triples = organization(ctx, reg.sponsor, None, path)
        yield ctx.trial, SDO.sponsor, iri
        yield ctx.trial, KG.leadSponsor, iri
        yield from triples
        if reg.sponsor_ror:
            yield iri, SDO.sameAs, reg.sponsor_ror
    lead = normalised_name(reg.sponsor)
    for predicate, names in ((SDO.funder, reg.funders), (KG.collaborator, reg.collaborators)):
        for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
            if predicate == KG.collaborator and normalised_name(name) == lead:
                continue  # the lead sponsor written again (in other case or spelling)
            iri, triples = organization(ctx, name, None, path)
            yield ctx.trial, predicate, iri
            if predicate == KG.collaborator:
                yield ctx.trial, SDO.sponsor, iri
            yield from triples


def _conditions(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    for condition in reg.conditions:
        node = ctx.keyed("condition", condition.name)
        yield ctx.trial, SDO.healthCondition, node
        yield node, RDF_TYPE, SDO.MedicalCondition
        yield node, SDO.name, text(condition.name)
        if condition.rare is not None:
            yield node, KG.rareDisease, boolean(condition.rare)
        for system, value, term in condition.codes:
            yield from _code(node, system, value, term)
        yield from condition_links(node, condition.name, [], [], reg.version)
    for keyword in reg.keywords:
        yield ctx.trial, KG.keyword, text(keyword)
    for area in reg.therapeutic_areas:
        yield ctx.trial, KG.therapeuticArea, text(area)


def _code(node: str, system: str, value: str, term: str = "") -> Iterator[Triple]:
    """A code of a condition or a product (MedDRA, ATC, EV...), named under it."""
    code = f"{node}/code/{system.lower()}-{value}"
    yield node, SDO.code, code
    yield code, RDF_TYPE, SDO.MedicalCode
    yield code, SDO.codeValue, text(value)
    yield code, SDO.codingSystem, text(system)
    if term:
        yield code, SDO.name, text(term)


def _products(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    for product in reg.products:
        node = ctx.keyed("intervention", product.name)
        ctx.intervention_names[node] = [product.name, *product.other_names]
        yield ctx.trial, SDO.studySubject, node
        yield node, RDF_TYPE, KG.Intervention
        for cls in INTERVENTION_CLASSES.get(product.kind, (SDO.MedicalEntity,)):
            yield node, RDF_TYPE, cls
        yield node, SDO.name, text(product.name)
        yield node, KG.interventionType, INTERVENTION_TYPE.terms[product.kind]
        if product.description:
            yield node, SDO.description, text(product.description)
        if product.role:
            yield node, KG.productRole, text(product.role)
        for other in product.other_names:
            yield node, SDO.alternateName, text(other)
        for system, value in product.codes:
            yield from _code(node, system, value)
        names = [product.name, *product.other_names]
        yield from intervention_links(node, product.kind, names, product.description or None,
                                      [], [], reg.version)


def _arms(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    """The arms, each tied to the products it names, so that results groups find their arm."""
    by_name = {name.casefold(): node for node, names in ctx.intervention_names.items()
               for name in names}
    for arm in reg.arms:
        node = ctx.keyed("arm", arm["title"])
        ctx.arms[arm["title"]] = node
        yield ctx.trial, KG.armGroup, node
        yield node, RDF_TYPE, KG.ArmGroup
        yield node, SDO.name, text(arm["title"])
        if arm.get("description"):
            yield node, SDO.description, text(arm["description"])
        yield node, KG.armGroupType, ARM_GROUP_TYPE.terms[arm["type"]]
        for product in arm.get("products", []):
            intervention = by_name.get(product.casefold())
            if intervention is not None:
                ctx.arm_interventions.setdefault(node, set()).add(intervention)
                yield node, KG.intervention, intervention
            else:
                yield node, KG.interventionName, text(product)


def _design(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    trial = ctx.trial
    if reg.study_type:
        yield trial, KG.studyType, reg.study_type
    for phase in reg.phases:
        yield trial, KG.phase, phase
    if reg.status:
        yield trial, SDO.status, reg.status
    if reg.enrollment is not None and reg.enrollment >= 0:
        yield trial, KG.enrollment, integer(reg.enrollment)
        if reg.enrollment_actual is not None:
            yield trial, KG.enrollmentType, ENROLLMENT_TYPE.terms[
                "ACTUAL" if reg.enrollment_actual else "ESTIMATED"]
    for predicate, value in sorted(reg.dates.items()):
        literal = partial_date(value) if value else None
        if literal is not None:
            yield trial, predicate, literal
    if reg.has_results is not None:
        yield trial, KG.hasResults, boolean(reg.has_results)


def _places(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    trial = ctx.trial
    countries = dict.fromkeys(c.strip() for c in reg.countries if c and c.strip())
    for name in countries:
        iri = country_iri(ctx.base, name)
        yield trial, SDO.studyLocation, iri
        yield iri, RDF_TYPE, SDO.Country
        yield iri, SDO.name, text(name)
    if reg.member_state:
        iri = country_iri(ctx.base, reg.member_state)
        yield trial, KG.memberState, iri
        yield iri, RDF_TYPE, SDO.Country
        yield iri, SDO.name, text(reg.member_state)
    for state in reg.member_states:
        node = ctx.child("member-state", state["code"].replace(" ", "-"))
        country = country_iri(ctx.base, state["name"])
        yield trial, KG.memberStateDecision, node
        yield node, RDF_TYPE, KG.MemberStateDecision
        yield node, KG.memberState, country
        yield country, RDF_TYPE, SDO.Country
        yield country, SDO.name, text(state["name"])
        for key, predicate in (("first", KG.firstDecisionDate), ("latest", KG.decisionDate)):
            literal = partial_date(state[key]) if state.get(key) else None
            if literal is not None:
                yield node, predicate, literal
        if state.get("status"):
            yield node, KG.registryStatus, text(state["status"])
    for name, city, country in reg.sites:
        site = ctx.keyed("site", name, city, country)
        yield trial, KG.site, site
        yield site, RDF_TYPE, SDO.Place
        yield site, RDF_TYPE, KG.Site
        yield site, SDO.name, text(name)
        if city or country:
            address = f"{site}/address"
            yield site, SDO.address, address
            yield address, RDF_TYPE, SDO.PostalAddress
            if city:
                yield address, SDO.addressLocality, text(city)
            if country:
                yield address, SDO.addressCountry, text(country)


def _eligibility(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    if not any((reg.inclusion, reg.exclusion, reg.sex, reg.minimum_age, reg.maximum_age,
                reg.healthy_volunteers is not None)):
        return
    node = ctx.child("eligibility")
    yield ctx.trial, KG.eligibility, node
    yield node, RDF_TYPE, KG.EligibilityCriteria
    yield node, RDF_TYPE, SDO.PeopleAudience
    if reg.inclusion:
        yield node, KG.inclusionCriteria, text(reg.inclusion)
    if reg.exclusion:
        yield node, KG.exclusionCriteria, text(reg.exclusion)
    if reg.sex:
        yield node, KG.sex, reg.sex
    if reg.healthy_volunteers is not None:
        yield node, KG.healthyVolunteers, boolean(reg.healthy_volunteers)
    for key, value in (("minimumAge", reg.minimum_age), ("maximumAge", reg.maximum_age)):
        if value:
            yield from age_triples(ctx, node, key, value)


def _outcomes(reg: Registration, ctx: MappingContext) -> Iterator[Triple]:
    for segment, predicate, outcomes in (("primary", KG.primaryOutcome, reg.primary_outcomes),
                                         ("secondary", KG.secondaryOutcome,
                                          reg.secondary_outcomes)):
        for number, (measure, time_frame) in enumerate(outcomes, 1):
            node = ctx.child("outcome", segment, number)
            yield ctx.trial, predicate, node
            yield node, RDF_TYPE, KG.Outcome
            yield node, SDO.name, text(measure)
            if time_frame:
                yield node, KG.timeFrame, text(time_frame)
