"""EU CTR records: one member state's record of a EudraCT trial, as ctrdata's JSON of the
register's text download (or the register's trial page read to the same keys,
:mod:`kg.sources.euctr_html`). Each member state's record is a registration of its own
(``trial/EUCTR2012-003632-23-GB``; ``-3RD`` for a trial's record outside the EU/EEA), all
registered as the one EudraCT trial id, so they are one trial.

| EU CTR field | kg |
| --- | --- |
| ``a2_eudract_number``, ``a1_member_state_concerned`` | the registration and its id; trial id EudraCT; ``kg:memberState`` |
| ``a3_full_title_of_the_trial`` | ``schema:name`` and ``kg:officialTitle`` |
| ``a31_…lay_people…``, ``a32_name_or_abbreviated_title…`` | ``schema:alternateName`` |
| ``a41_sponsors_protocol_code_number`` | ``kg:sponsorProtocolCode`` |
| ``a51`` ISRCTN, ``a52`` NCT, ``a53`` WHO UTN, ``a54_other_identifiers``; results' ``trialInformation`` ids | same-trial ids |
| ``b1_sponsor[].b11_name_of_sponsor`` | the first ``kg:leadSponsor``, the others ``kg:collaborator`` |
| ``b1_sponsor[].b4_sources_of_monetary_or_material_support`` | ``schema:funder`` |
| ``e11_medical_conditions_being_investigated``, ``e12_meddra_classification``, ``e13_…rare_disease`` | the condition, ``kg:rareDisease``; MedDRA codes (a lowest-level or preferred term the condition's text is not, a condition of its own) |
| ``e112_therapeutic_area`` | ``kg:therapeuticArea`` |
| ``dimp[]`` (``d31_product_name``, ``d38`` INN and EV substance code, ``d32_product_code``, role) | interventions |
| ``e71``-``e74`` (phase I-IV) | ``kg:phase``, ``kg:registryPhase`` |
| ``x5_trial_status`` (else ``p_end_of_trial_status``) | ``schema:status``, ``kg:registryStatus`` |
| ``f422`` (else ``f421``, ``f41``) subjects planned | ``kg:enrollment`` (estimated) |
| ``x6_…first_entered…``, results' ``recruitmentStartDate``, ``primaryCompletionDate``, ``p_date_of_the_global_end…`` | dates |
| ``e3``, ``e4``, ``f21``/``f22``, ``f31_healthy_volunteers``, ``f1*`` age groups | eligibility, ``kg:ageGroup`` |
| ``e51``/``e511``, ``e52``/``e521`` | outcomes and their time points |
| ``trialInformation`` … ``adverseEvents`` (results) | ``kg:hasResults``; the arms and every number in kg's results model (:mod:`kg.mapping.euctr_results`) |
"""

from __future__ import annotations

from kg.errors import RecordError
from kg.mapping.design import STUDY_TYPE
from kg.mapping.euctr_results import arms, results_section
from kg.mapping.registration import Condition, Product, Registration, Stated, add_meddra
from kg.mapping.registry_values import (
    first_text,
    iso_date,
    listed,
    phases_in,
    sex_term,
    status_term,
)
from kg.trial_ids import eu_registration, found_ids
from kg.vocab import KG

PAGE = "https://www.clinicaltrialsregister.eu/ctr-search/trial/"
# The member states' names as the register writes them ("UK - MHRA": name, then the agency).
MEMBER_STATES = {
    "austria": "AT", "belgium": "BE", "bulgaria": "BG", "croatia": "HR", "cyprus": "CY",
    "czech republic": "CZ", "czechia": "CZ", "denmark": "DK", "estonia": "EE",
    "finland": "FI", "france": "FR", "germany": "DE", "greece": "GR", "hungary": "HU",
    "iceland": "IS", "ireland": "IE", "italy": "IT", "latvia": "LV", "liechtenstein": "LI",
    "lithuania": "LT", "luxembourg": "LU", "malta": "MT", "netherlands": "NL", "norway": "NO",
    "poland": "PL", "portugal": "PT", "romania": "RO", "slovakia": "SK", "slovenia": "SI",
    "spain": "ES", "sweden": "SE", "uk": "GB", "united kingdom": "GB",
}
PHASE_FIELDS = (("e71_human_pharmacology_phase_i", "Phase I"),
                ("e72_therapeutic_exploratory_phase_ii", "Phase II"),
                ("e73_therapeutic_confirmatory_phase_iii", "Phase III"),
                ("e74_therapeutic_use_phase_iv", "Phase IV"))
AGE_GROUPS = (("f111_in_utero", "In utero"),
              ("f112_preterm_newborn_infants_up_to_gestational_age__37_weeks",
               "Preterm newborn infants"),
              ("f113_newborns_027_days", "Newborns (0-27 days)"),
              ("f114_infants_and_toddlers_28_days23_months", "Infants and toddlers (28 days-23 months)"),
              ("f115_children_211years", "Children (2-11 years)"),
              ("f116_adolescents_1217_years", "Adolescents (12-17 years)"),
              ("f12_adults_1864_years", "Adults (18-64 years)"),
              ("f13_elderly_65_years", "Elderly (65 years and over)"))


def _yes(value: object) -> bool:
    return first_text(value).casefold() in ("yes", "true")


def member_state(record: dict) -> tuple[str, str]:
    """(two-letter code or ``3RD``, the state's name) of the record."""
    stated = first_text(record.get("a1_member_state_concerned"))
    name = stated.split(" - ")[0].strip()
    code = MEMBER_STATES.get(name.casefold(), "")
    if not stated and first_text(record.get("x4_clinical_trial_type")).casefold() in (
            "outside eu/eea", "outside eu"):
        code = "3RD"
    return code, ("United Kingdom" if code == "GB" else name)


def read_euctr(record: dict, origin: str = "") -> tuple[str, Registration]:
    number = first_text(record.get("a2_eudract_number")) or first_text(record.get("eudractNumber"))
    code, state = member_state(record)
    found = eu_registration(f"{number}-{code}" if code else number)
    if found is None or found[0].scheme != "EudraCT":
        raise RecordError(f"no EudraCT number ({number!r})", origin=origin,
                          field="a2_eudract_number")
    trial_id, key = found
    reg = Registration("EU CTR", key[len("EUCTR"):], PAGE + trial_id.value + (
        f"/{code}" if code else ""), [trial_id])
    reg.version = f"EU CTR record of {iso_date(first_text(record.get('record_last_import')))}"
    reg.member_state = state if code != "3RD" else ""
    information = record.get("trialInformation") if isinstance(
        record.get("trialInformation"), dict) else {}
    reg.title = first_text(record.get("a3_full_title_of_the_trial")) or first_text(
        information.get("fullTitle"))
    reg.official_title = reg.title
    reg.acronym = first_text(record.get("a32_name_or_abbreviated_title_of_the_trial_where_available"))
    if reg.acronym.casefold() in ("na", "n/a"):
        reg.acronym = ""
    reg.other_titles = [first_text(record.get(
        "a31_title_of_the_trial_for_lay_people_in_easily_understood_ie_nontechnical_language"))]
    code_number = first_text(record.get("a41_sponsors_protocol_code_number"))
    reg.protocol_codes = [code_number] if code_number else []
    _identifiers(reg, record, information)
    sponsors = [s for s in listed(record.get("b1_sponsor")) if isinstance(s, dict)]
    names = [first_text(s.get("b11_name_of_sponsor")) for s in sponsors]
    reg.sponsor = next((n for n in names if n), first_text(record.get("sponsor")))
    reg.collaborators = [n for n in names if n and n != reg.sponsor]
    reg.funders = [first_text(m.get("b41_name_of_organisation_providing_support")) for s in sponsors
                   for m in listed(s.get("b4_sources_of_monetary_or_material_support"))
                   if isinstance(m, dict)]
    _conditions(reg, record)
    _products(reg, record)
    _design(reg, record, information)
    _eligibility(reg, record)
    for key_measure, key_time, target in (
            ("e51_primary_end_points", "e511_timepoints_of_evaluation_of_this_end_point",
             reg.primary_outcomes),
            ("e52_secondary_end_points", "e521_timepoints_of_evaluation_of_this_end_point",
             reg.secondary_outcomes)):
        if first_text(record.get(key_measure)):
            target.append((first_text(record[key_measure]), first_text(record.get(key_time))))
    return key, reg


def _identifiers(reg: Registration, record: dict, information: dict) -> None:
    fields = [(k, record.get(k)) for k in (
        "a51_isrctn_international_standard_randomised_controlled_trial_number",
        "a52_us_nct_clinicaltrialsgov_registry_number",
        "a53_who_universal_trial_reference_number_utrn", "a54_other_identifiers")]
    fields += [(f"trialInformation.{k}", information.get(k)) for k in (
        "isrctnIdentifier", "usctnIdentifier", "whoIdentifier")]
    for field, value in fields:
        for trial_id in found_ids(first_text(value)):
            reg.stated.append(Stated(trial_id, field))


def _conditions(reg: Registration, record: dict) -> None:
    name = first_text(record.get("e11_medical_conditions_being_investigated"))
    rare = first_text(record.get("e13_condition_being_studied_is_a_rare_disease"))
    if name:
        reg.conditions.append(Condition(name, rare=_yes(rare) if rare else None))
    for term in listed(record.get("e12_meddra_classification")):
        if isinstance(term, dict) and first_text(term.get("e12_classification_code")):
            label = first_text(term.get("e12_term"))
            add_meddra(reg.conditions, label or first_text(term["e12_classification_code"]),
                       first_text(term["e12_classification_code"]),
                       first_text(term.get("e12_level")))
    area = first_text(record.get("e112_therapeutic_area"))
    if area:
        reg.therapeutic_areas.append(area)


def _products(reg: Registration, record: dict) -> None:
    for product in listed(record.get("dimp")):
        if not isinstance(product, dict):
            continue
        details = [d for d in listed(product.get("d38_imp_identification_details"))
                   if isinstance(d, dict)]
        inns = [first_text(d.get("d38_inn__proposed_inn")) for d in details]
        name = first_text(product.get("d31_product_name")) or next((i for i in inns if i), "")
        if not name:
            continue
        codes = [("EV", first_text(d.get("d394_ev_substance_code"))) for d in details
                 if first_text(d.get("d394_ev_substance_code"))]
        others = [o for o in dict.fromkeys([*inns, first_text(product.get("d32_product_code"))])
                  if o and o.casefold() != name.casefold()]
        role = first_text(product.get("d12_and_d13_imp_role"))
        reg.products.append(Product(name, "DRUG" if role != "Placebo" else "OTHER", others,
                                    codes, role))


def _design(reg: Registration, record: dict, information: dict) -> None:
    reg.study_type = STUDY_TYPE.terms["INTERVENTIONAL"]  # EU CTR holds trials of medicines
    stated = [label for key, label in PHASE_FIELDS if _yes(record.get(key))]
    reg.registry_phase = ", ".join(stated)
    reg.phases = phases_in(" ".join(stated))
    words = first_text(record.get("x5_trial_status")) or first_text(
        record.get("p_end_of_trial_status"))
    reg.registry_status, reg.status = words, status_term(words)
    for key in ("f422_in_the_whole_clinical_trial", "f421_in_the_eea", "f41_in_the_member_state"):
        planned = first_text(record.get(key))
        if planned.isdigit():
            reg.enrollment, reg.enrollment_actual = int(planned), False
            break
    dates = {
        KG.studyFirstSubmitDate: record.get(
            "x6_date_on_which_this_record_was_first_entered_in_the_eudract_database"),
        KG.startDate: information.get("recruitmentStartDate"),
        KG.primaryCompletionDate: information.get("primaryCompletionDate"),
        KG.completionDate: record.get("p_date_of_the_global_end_of_the_trial") or
        information.get("globalEndOfTrialDate"),
    }
    reg.dates = {k: iso_date(first_text(v)) for k, v in dates.items() if iso_date(first_text(v))}
    reg.has_results = any(k in record for k in ("trialInformation", "endPoints", "adverseEvents",
                                                "baselineCharacteristics"))
    if reg.has_results:
        reg.arms = arms(record)
        reg.results = results_section(record)
    third = first_text(record.get("h41_third_country_in_which_the_trial_was_first_authorised"))
    reg.countries = [c for c in (reg.member_state, third) if c]


def _eligibility(reg: Registration, record: dict) -> None:
    reg.inclusion = first_text(record.get("e3_principal_inclusion_criteria"))
    reg.exclusion = first_text(record.get("e4_principal_exclusion_criteria"))
    female, male = record.get("f21_female"), record.get("f22_male")
    if female is not None or male is not None:
        reg.sex = sex_term(_yes(female), _yes(male))
    if record.get("f31_healthy_volunteers") is not None:
        reg.healthy_volunteers = _yes(record["f31_healthy_volunteers"])
    groups = [label for key, label in AGE_GROUPS if _yes(record.get(key))]
    if groups:
        reg.facts.append((KG.ageGroup, ", ".join(groups)))
