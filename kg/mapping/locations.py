"""contactsLocationsModule: sites, countries, central contacts and overall officials.

``schema:studyLocation`` only takes an ``AdministrativeArea``, so it links the trial to its
countries; each site is a ``schema:Place`` (also a ``schema:Hospital`` when its name says so)
linked by ``kg:site``, with its postal address, coordinates, recruitment status and contacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ids import country_iri
from kg.mapping.context import MappingContext
from kg.mapping.fields import NUMBER, TEXT, field_triples, module, objects
from kg.mapping.organizations import organization_triples
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "protocolSection.contactsLocationsModule"

RECRUITMENT_STATUS = Enumeration(
    "RecruitmentStatus",
    kg_members(
        ACTIVE_NOT_RECRUITING="SiteActiveNotRecruiting", COMPLETED="SiteCompleted",
        ENROLLING_BY_INVITATION="SiteEnrollingByInvitation",
        NOT_YET_RECRUITING="SiteNotYetRecruiting", RECRUITING="SiteRecruiting",
        SUSPENDED="SiteSuspended", TERMINATED="SiteTerminated", WITHDRAWN="SiteWithdrawn",
        AVAILABLE="SiteAvailable",
    ),
    kg_class="RecruitmentStatus",
)
CONTACT_ROLE = Enumeration(
    "ContactRole",
    kg_members(STUDY_CHAIR="StudyChair", STUDY_DIRECTOR="StudyDirector",
               PRINCIPAL_INVESTIGATOR="PrincipalInvestigator", SUB_INVESTIGATOR="SubInvestigator",
               CONTACT="ContactPerson"),
    kg_class="ContactRole",
)
OFFICIAL_ROLE = Enumeration(
    "OfficialRole",
    {k: v for k, v in CONTACT_ROLE.terms.items() if k != "CONTACT"},
    kg_class="ContactRole",
)

SITE_FIELDS = (("facility", SDO.name, TEXT),)
ADDRESS_FIELDS = (
    ("city", SDO.addressLocality, TEXT),
    ("state", SDO.addressRegion, TEXT),
    ("zip", SDO.postalCode, TEXT),
    ("country", SDO.addressCountry, TEXT),
    ("countryCode", KG.countryCode, TEXT),
)
GEO_FIELDS = (("lat", SDO.latitude, NUMBER), ("lon", SDO.longitude, NUMBER))
CONTACT_FIELDS = (
    ("name", SDO.name, TEXT),
    ("phone", SDO.telephone, TEXT),
    ("phoneExt", KG.telephoneExtension, TEXT),
    ("email", SDO.email, TEXT),
)
OFFICIAL_FIELDS = (("name", SDO.name, TEXT),)

_HOSPITAL = re.compile(r"hospital|hôpital|hospit|klinikum|krankenhaus", re.IGNORECASE)


def map_locations(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    contacts = module(record, "protocolSection", "contactsLocationsModule")
    trial = ctx.trial
    countries: dict[str, str] = {}
    for number, location in objects(ctx, contacts, "locations", PATH):
        site = ctx.keyed("site", *(location.get(k) for k in
                                   ("facility", "city", "state", "zip", "country")))
        path = f"{PATH}.locations[{number - 1}]"
        yield trial, KG.site, site
        yield site, RDF_TYPE, SDO.Place
        yield site, RDF_TYPE, KG.Site
        facility = location.get("facility")
        if isinstance(facility, str) and _HOSPITAL.search(facility):
            yield site, RDF_TYPE, SDO.Hospital
        yield from field_triples(ctx, site, location, SITE_FIELDS, path)
        if location.get("status") is not None:
            yield site, KG.recruitmentStatus, ctx.term(
                RECRUITMENT_STATUS, location["status"], f"{path}.status")
        address = f"{site}/address"
        address_triples = list(field_triples(ctx, address, location, ADDRESS_FIELDS, path))
        if address_triples:  # no empty address nodes: a site without one is a shape warning
            yield site, SDO.address, address
            yield address, RDF_TYPE, SDO.PostalAddress
            yield from address_triples
        geo = location.get("geoPoint")
        if isinstance(geo, dict) and geo:
            yield site, SDO.geo, f"{site}/geo"
            yield f"{site}/geo", RDF_TYPE, SDO.GeoCoordinates
            yield from field_triples(ctx, f"{site}/geo", geo, GEO_FIELDS, f"{path}.geoPoint")
        for n, contact in objects(ctx, location, "contacts", path):
            yield from _contact(ctx, site, f"{site}/contact/{n}", contact,
                                f"{path}.contacts[{n - 1}]")
        country = location.get("country")
        if isinstance(country, str) and country.strip():
            countries.setdefault(country.strip(), country_iri(ctx.base, country))
    for name, iri in sorted(countries.items()):
        yield trial, SDO.studyLocation, iri
        yield iri, RDF_TYPE, SDO.Country
        yield iri, SDO.name, text(name)

    for number, contact in objects(ctx, contacts, "centralContacts", PATH):
        yield from _contact(ctx, trial, ctx.keyed("contact", contact.get("name")), contact,
                            f"{PATH}.centralContacts[{number - 1}]", KG.centralContact)
    for number, official in objects(ctx, contacts, "overallOfficials", PATH):
        person = ctx.keyed("official", official.get("name"))
        path = f"{PATH}.overallOfficials[{number - 1}]"
        yield trial, KG.overallOfficial, person
        yield person, RDF_TYPE, SDO.Person
        yield person, RDF_TYPE, KG.Official
        yield from field_triples(ctx, person, official, OFFICIAL_FIELDS, path)
        if official.get("role") is not None:
            yield person, KG.officialRole, ctx.term(OFFICIAL_ROLE, official["role"], f"{path}.role")
        yield from organization_triples(ctx, person, SDO.affiliation, official, "affiliation", path)


def _contact(
    ctx: MappingContext, owner: str, node: str, contact: dict, path: str,
    predicate: str = KG.contact,
) -> Iterator[Triple]:
    yield owner, predicate, node
    yield node, RDF_TYPE, SDO.ContactPoint
    yield node, RDF_TYPE, KG.Contact
    yield from field_triples(ctx, node, contact, CONTACT_FIELDS, path)
    if contact.get("role") is not None:
        yield node, KG.contactRole, ctx.term(CONTACT_ROLE, contact["role"], f"{path}.role")
