"""Every namespace and term the mapping emits, in one place.

Terms are declared here by name; asking a vocabulary for an undeclared term is an error at
import time, so a typo can never become a new predicate. Tests check that every schema.org term
below exists in the official vocabulary and that every ``kg:`` term is declared, with a label
and a comment, in ``ontologies/kg.ttl``.
"""

from __future__ import annotations

# Namespaces defined with the IRI rules (kg.iri), so that modules outside the mapping (the
# mapping-set tables of kg.links) name them without importing the mapping.
from kg.iri import DOI_NS, MESH_NS, OBO_NS, SKOS_NS  # noqa: F401

SCHEMA_NS = "https://schema.org/"
KG_NS = "https://w3id.org/ctkg/vocab#"
PUBMED_NS = "https://pubmed.ncbi.nlm.nih.gov/"
REGISTRY_STUDY_URL = "https://clinicaltrials.gov/study/"
REGISTRY_DOCUMENT_URL = "https://cdn.clinicaltrials.gov/large-docs/"
QB_NS = "http://purl.org/linked-data/cube#"
SDMX_MEASURE_NS = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_ATTRIBUTE_NS = "http://purl.org/linked-data/sdmx/2009/attribute#"
SSSOM_NS = "https://w3id.org/sssom/"
SEMAPV_NS = "https://w3id.org/semapv/vocab/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"


class Vocabulary:
    """A namespace that only answers for the terms declared in it."""

    def __init__(self, namespace: str, terms: str):
        self.namespace = namespace
        self.terms = frozenset(terms.split())
        for term in self.terms:
            setattr(self, term, namespace + term)

    def __getattr__(self, name: str) -> str:
        raise AttributeError(f"{name!r} is not a declared term of {self.namespace}")

    def iris(self) -> set[str]:
        return {self.namespace + t for t in self.terms}


SDO = Vocabulary(
    SCHEMA_NS,
    """
    MedicalStudy MedicalTrial MedicalObservationalStudy MedicalCondition MedicalCode
    MedicalEntity Drug MedicalDevice MedicalProcedure MedicalTherapy RadiationTherapy
    DietarySupplement MedicalTest Organization Person Place Hospital PostalAddress GeoCoordinates
    Country ContactPoint PropertyValue QuantitativeValue PeopleAudience ScholarlyArticle WebPage
    name alternateName description url identifier code codeValue codingSystem status sponsor
    healthCondition studySubject studyLocation trialDesign studyDesign affiliation jobTitle
    address addressLocality addressRegion postalCode addressCountry geo latitude longitude
    telephone email propertyID value unitCode unitText requiredMinAge requiredMaxAge citation
    about sameAs author familyName givenName isPartOf datePublished pagination pageStart pageEnd
    Periodical PublicationVolume PublicationIssue volumeNumber issueNumber issn publisher
    license abstract DigitalDocument funder
    ActiveNotRecruiting Completed EnrollingByInvitation NotYetRecruiting Recruiting Suspended
    Terminated Withdrawn
    RandomizedTrial OpenTrial SingleBlindedTrial DoubleBlindedTrial TripleBlindedTrial
    PlaceboControlledTrial SingleCenterTrial MultiCenterTrial InternationalTrial
    CohortStudy CrossSectional Observational Registry
    """,
)

KG = Vocabulary(
    KG_NS,
    """
    ArmGroup Intervention Outcome EligibilityCriteria Site Official Contact ResponsibleParty
    Reference
    officialTitle nctIdAlias registeringOrganization identifierType
    lastKnownStatus whyStopped delayedPosting resultsWaived hasExpandedAccess
    expandedAccessRecord expandedAccessStatus
    statusVerifiedDate startDate startDateType primaryCompletionDate primaryCompletionDateType
    completionDate completionDateType studyFirstSubmitDate studyFirstSubmitQcDate
    studyFirstPostDate studyFirstPostDateType resultsFirstSubmitDate resultsFirstSubmitQcDate
    resultsFirstPostDate resultsFirstPostDateType dispFirstSubmitDate dispFirstSubmitQcDate
    dispFirstPostDate dispFirstPostDateType lastUpdateSubmitDate lastUpdatePostDate
    lastUpdatePostDateType
    leadSponsor collaborator agencyClass responsibleParty responsiblePartyType investigator
    responsibleOrganization
    overallOfficial officialRole
    oversightHasDmc isFdaRegulatedDrug isFdaRegulatedDevice isUnapprovedDevice isPpsd isUsExport
    fdaaa801Violation
    detailedDescription keyword conditionMeshAncestor interventionMesh
    interventionMeshAncestor
    studyType phase allocation interventionModel interventionModelDescription primaryPurpose
    masking maskingDescription whoMasked observationalModel timePerspective patientRegistry
    targetDuration bioSpecRetention bioSpecDescription enrollment enrollmentType
    expandedAccessIndividual expandedAccessIntermediate expandedAccessTreatment
    expandedAccessRecordCount
    armGroup armGroupType intervention interventionType interventionName
    primaryOutcome secondaryOutcome otherOutcome timeFrame
    eligibility eligibilityCriteria inclusionCriteria exclusionCriteria sex genderBased
    genderDescription minimumAge maximumAge healthyVolunteers stdAge studyPopulation
    samplingMethod
    site recruitmentStatus contact contactRole centralContact telephoneExtension countryCode
    reference article referenceType citationText pubmedId retraction authorPosition epubDate
    retractionSource seeAlso ipdSharing
    ipdDescription ipdInfoType ipdTimeFrame ipdAccessCriteria ipdUrl availableIpd
    ipdDocumentType ipdComment
    hasResults
    ResultGroup ParticipantFlow FlowPeriod FlowMilestone FlowWithdrawal BaselineCharacteristics
    BaselineMeasure OutcomeResult MeasureClass MeasureCategory Denominator StatisticalAnalysis
    AdverseEventsReport AdverseEvent CertainAgreement UnpostedEvent ViolationEvent
    participantFlow baselineCharacteristics outcomeResult adverseEvents hasGroup groupCode
    representsArm group preAssignmentDetails recruitmentDetails typeUnitsAnalyzed flowPeriod
    periodMilestone periodWithdrawal milestone withdrawal milestoneType withdrawalReason
    numUnits populationDescription baselineMeasure hasClass hasCategory measureClass category
    denominator denomUnits count paramType dispersionType unitOfMeasure calculatePct
    denomUnitsSelected spread lowerLimit upperLimit outcomeType reportingStatus
    anticipatedPostingDate protocolOutcome analysis comparedGroup groupDescription
    testedNonInferiority nonInferiorityType nonInferiorityComment pValue pValueComparator
    pValueComment statisticalMethod statisticalComment estimateType estimateStatistic
    estimateValue estimateComment ciPercent ciNumSides ciLowerLimit ciUpperLimit
    ciLowerLimitComment ciUpperLimitComment dispersionValue otherAnalysisDescription
    frequencyThreshold allCauseMortalityComment seriousEvent otherEvent adverseEvent organSystem
    sourceVocabulary assessmentType eventNotes numEvents numAffected numAtRisk
    deathsNumAffected deathsNumAtRisk seriousNumAffected seriousNumAtRisk otherNumAffected
    otherNumAtRisk limitationsAndCaveats certainAgreement piSponsorEmployee restrictiveAgreement
    restrictionType otherDetails resultsContact contactOrganization
    largeDocument noSap documentType hasProtocol hasSap hasIcf documentDate uploadDate
    fileName fileSize
    unpostedResponsibleParty unpostedEvent unpostedEventType eventDate dateUnknown
    violationEvent violationEventType creationDate issuedDate releaseDate postedDate
    contentDigest matchScore matchType matchDate
    meshDescriptor hasComponent TotalGroup
    evidence via dataVersion RegistryIndexEvidence PreferredNameEvidence SynonymEvidence
    SupplementaryConceptEvidence MappingSetEvidence CrossReferenceEvidence
    SyncRun syncedSince syncedThrough trialsAdded trialsUpdated trialsUnchanged trialsRemoved
    trialsFailed
    registryStatus registryPhase therapeuticArea rareDisease memberState productRole
    sponsorProtocolCode registeredAs sameTrialAs TrialIdentifier SameTrialStatement statedBy
    trialId statedField RegisteredTrial registration registrationType ageGroup sourceRegister
    MemberStateDecision memberStateDecision decisionDate firstDecisionDate
    """,
)

# Published vocabularies the results reuse as they are (RDF Data Cube and SDMX, as read in
# ../shared/vocab/RESULTS_NOTES.md): an observation per table cell, its data set, its value.
QB = Vocabulary(QB_NS, "Observation DataSet dataSet")
SDMX_MEASURE = Vocabulary(SDMX_MEASURE_NS, "obsValue")
SDMX_ATTRIBUTE = Vocabulary(SDMX_ATTRIBUTE_NS, "comment")
# SKOS mapping relations, as the published mapping sets (kg/data) state them.
SKOS = Vocabulary(SKOS_NS, "exactMatch closeMatch broadMatch narrowMatch")
# How a link was found (the evidence of a condition's or an intervention's link to an id), in
# SSSOM's terms, with the justifications of the SEMAPV vocabulary.
SSSOM = Vocabulary(SSSOM_NS, """Mapping subject_id subject_label predicate_id object_id
                   mapping_justification match_string object_match_field mapping_set_id""")
SEMAPV = Vocabulary(SEMAPV_NS, "LexicalMatching MappingChaining")


class Enumeration:
    """A registry enum and the term each of its values becomes.

    Every instance registers itself in :data:`ENUMERATIONS`, so tests can check each table
    against the registry's OpenAPI enum list and against the ontology.
    """

    def __init__(self, name: str, terms: dict[str, str], *, kg_class: str | None = None):
        self.name = name
        self.kg_class = kg_class
        self.terms = terms
        ENUMERATIONS[name] = self

    def get(self, value: str) -> str | None:
        return self.terms.get(value)


ENUMERATIONS: dict[str, Enumeration] = {}


def kg_members(**local_names: str) -> dict[str, str]:
    """Registry value -> kg: member IRI, written as ``VALUE="LocalName"``."""
    return {value: KG_NS + local for value, local in local_names.items()}
