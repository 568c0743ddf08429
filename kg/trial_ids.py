"""Trial registration identifiers of every registry: recognised, normalised, and told apart
from the placeholders registries hold where an id is not known.

A registration is one registry's record of a trial; its IRI is minted from its :func:`key`
(``trial/NCT00698191``, ``trial/EUCTR2012-003632-23-GB``, ``trial/CTIS2024-510663-34-00``,
``trial/ISRCTN80181452``, ``trial/DRKS00038775``: the WHO ICTRP's ``TrialID`` form, one rule
for all). A trial id (:class:`TrialId`) is what registrations of one trial share: the EudraCT
number without its member-state suffix, the CTIS number without its resubmission suffix, an
NCT, ISRCTN or DRKS id, a WHO Universal Trial Number... Sponsor protocol codes are ids too, but
only of the sponsor's own numbering: kept apart as weak (:data:`WEAK`).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class TrialId(NamedTuple):
    scheme: str  # "NCT", "EudraCT", "CTIS", "ISRCTN", "DRKS", "UTN", "JPRN", "ChiCTR", ...
    value: str  # normalised: "NCT01818492", "2012-003632-23", "2024-510663-34"

    @property
    def slug(self) -> str:
        """A path segment: ``eudract/2012-003632-23``."""
        return f"{self.scheme.lower()}/{_UNSAFE.sub('-', self.value)}"


# The register a trial id's scheme belongs to, by the name kg gives it as a coding system.
REGISTERS = {
    "NCT": "ClinicalTrials.gov", "EudraCT": "EU CTR", "CTIS": "EU CTIS", "ISRCTN": "ISRCTN",
    "DRKS": "DRKS", "JPRN": "JPRN", "ChiCTR": "ChiCTR", "ACTRN": "ANZCTR", "CTRI": "CTRI",
    "KCT": "CRIS", "IRCT": "IRCT", "PACTR": "PACTR", "RBR": "ReBec", "TCTR": "TCTR",
    "NL": "NL-OMON", "NTR": "NL-OMON", "SLCTR": "SLCTR", "LBCTR": "LBCTR", "ITMCTR": "ITMCTR",
    "PER": "REPEC", "RPCEC": "RPCEC",
}
WEAK = "protocol"  # a sponsor's protocol code: evidence, never identity
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# A registration key: what follows ``trial/`` in a registration's IRI.
KEY = r"[A-Za-z][A-Za-z0-9._-]{2,79}"
_KEY = re.compile(KEY)

# Values that stand for "no id": registries' own placeholders and what sponsors type.
_NONE = re.compile(r"(?i)^\s*(?:n/?a|none|nil(?:\s+known)?|not\s+(?:applicable|available|known|"
                   r"provided|assigned|yet\s+(?:assigned|available))|unknown|tbc|tbd|pending|"
                   r"no|-+|\.+|0+)\s*\.?\s*$")

# The EudraCT form (2012-003632-23) and the CTIS form (2024-510663-34-00) share a shape; a
# CTIS number's second part starts at 500000.
_EU = r"(?<![\d-])(\d{4})\s?-\s?(\d{6})\s?-\s?(\d{2})(?:-(\d{2}|[A-Z]{2}|3RD)(?![A-Za-z]))?(?![\d])"
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("NCT", re.compile(r"(?i)\bNCT\s?(\d{8})\b")),
    ("EU", re.compile(r"(?i)(?:\bEUCTR|\bCTIS|\bEudraCT\b[\s:#.Nno-]*?)?" + _EU)),
    ("ISRCTN", re.compile(r"(?i)\bISRCTN\s?(\d{8})\b")),
    ("DRKS", re.compile(r"(?i)\bDRKS\s?(\d{8})\b")),
    ("UTN", re.compile(r"(?i)\bU\s?1111[\s-]?(\d{4})[\s-]?(\d{4})\b")),
    ("JPRN", re.compile(r"(?:\bJPRN-)?\b(jRCT[a-z]?\d{9,10}|UMIN\d{9}|JapicCTI-\d{6}|"
                        r"JMA-IIA\d{5})\b")),
    ("ChiCTR", re.compile(r"\b(ChiCTR(?:-[A-Z]{2,4}-)?\d{8,10})\b")),
    ("ACTRN", re.compile(r"\bACTRN\s?(\d{14})\b")),
    ("CTRI", re.compile(r"\bCTRI/(\d{4})/(\d{2,3})/(\d{6})\b")),
    ("IRAS", re.compile(r"(?i)\bIRAS\b(?:\s*(?:ID|number|no\.?|project\s+ID))?[\s:#]*(\d{5,7})\b")),
    ("KCT", re.compile(r"\b(KCT\d{7})\b")),
    ("IRCT", re.compile(r"\b(IRCT\d{8,14}N\d{1,3})\b")),
    ("PACTR", re.compile(r"\b(PACTR\d{15})\b")),
    ("CTR", re.compile(r"\b(TCTR\d{11}|RBR-\w{6,8}|SLCTR/\d{4}/\d{3}|NL-OMON\d+|NTR\d{3,5}|"
                       r"LBCTR\d{10}|ITMCTR\d{10}|PER-\d{3}-\d{2}|RPCEC\d{8})\b")),
)


def _eu(match: re.Match) -> tuple[TrialId, str | None]:
    year, number, check, suffix = match.group(1), match.group(2), match.group(3), match.group(4)
    value = f"{year}-{number}-{check}"
    if int(year) >= 2022 and number.startswith("5"):
        return TrialId("CTIS", value), suffix if suffix and suffix.isdigit() else None
    return TrialId("EudraCT", value), suffix if suffix and not suffix.isdigit() else None


def _normal(scheme: str, match: re.Match) -> TrialId | None:
    groups = match.groups()
    if scheme == "NCT":
        return TrialId("NCT", f"NCT{groups[0]}") if groups[0] != "00000000" else None
    if scheme in ("ISRCTN", "DRKS"):
        return TrialId(scheme, f"{scheme}{groups[0]}") if int(groups[0]) else None
    if scheme == "UTN":
        return TrialId("UTN", f"U1111-{groups[0]}-{groups[1]}")
    if scheme == "ACTRN":
        return TrialId("ACTRN", f"ACTRN{groups[0]}")
    if scheme == "CTRI":
        return TrialId("CTRI", f"CTRI/{groups[0]}/{groups[1]}/{groups[2]}")
    if scheme == "IRAS":
        return TrialId("IRAS", groups[0])
    if scheme == "CTR":
        value = groups[0]
        return TrialId(re.match(r"[A-Za-z]+", value).group(0).upper(), value)
    return TrialId(scheme, groups[0])


def found_ids(text: object) -> list[TrialId]:
    """Every trial id written in ``text``, each once; placeholders dropped."""
    if not isinstance(text, str) or _NONE.match(text):
        return []
    found: dict[TrialId, None] = {}
    for scheme, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            trial_id = _eu(match)[0] if scheme == "EU" else _normal(scheme, match)
            if trial_id is not None:
                found[trial_id] = None
    return list(found)


_ZEROS = re.compile(r"(?i)\s*(?:NCT|ISRCTN|DRKS)\s?0{8}\s*")


def is_placeholder(text: object) -> bool:
    """A value standing where an id is not known ("Nil known", "N/A", ``NCT00000000``)."""
    return not isinstance(text, str) or bool(_NONE.match(text) or _ZEROS.fullmatch(text))


def id_as(scheme: str, text: object) -> TrialId | None:
    """The id a field of a known scheme holds (a bare ISRCTN number, an EudraCT number with its
    member-state suffix), or None for a placeholder or a value of another form."""
    if not isinstance(text, str) or _NONE.match(text):
        return None
    bare = text.strip()
    if scheme in ("ISRCTN", "DRKS") and bare.isdigit() and len(bare) == 8:
        bare = scheme + bare
    for found in found_ids(bare):
        if found.scheme == scheme or (scheme in ("EudraCT", "CTIS") and
                                      found.scheme in ("EudraCT", "CTIS")):
            return found
    return None


def is_key(value: object) -> bool:
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def key(registry_id: str) -> str | None:
    """A registration key from a registry id as the WHO ICTRP writes it (``TrialID``):
    characters an IRI path segment should not hold become ``-`` (``CTRI/2020/01/012345``)."""
    cleaned = _UNSAFE.sub("-", registry_id.strip()).strip("-")
    return cleaned if is_key(cleaned) else None


def eu_registration(text: str) -> tuple[TrialId, str] | None:
    """An EU CTR member-state record's or a CTIS record's id as (trial id, registration key):
    ``2012-003632-23-GB`` -> (EudraCT 2012-003632-23, ``EUCTR2012-003632-23-GB``),
    ``2023-508143-51-01`` -> (CTIS 2023-508143-51, ``CTIS2023-508143-51-01``)."""
    match = re.search(_EU, text.upper())
    if match is None:
        return None
    trial_id, suffix = _eu(match)
    if trial_id.scheme == "CTIS":
        return trial_id, f"CTIS{trial_id.value}-{suffix or '00'}"
    return trial_id, f"EUCTR{trial_id.value}" + (f"-{suffix}" if suffix else "")


def registry_page(registration_key: str) -> str:
    """The page of a registration on its register, from its key."""
    upper = registration_key.upper()
    eu = eu_registration(registration_key) if upper.startswith(("EUCTR", "CTIS")) else None
    if upper.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{registration_key}"
    if eu is not None and eu[0].scheme == "EudraCT":
        state = registration_key.rsplit("-", 1)[-1] if registration_key.count("-") == 3 else ""
        return f"https://www.clinicaltrialsregister.eu/ctr-search/trial/{eu[0].value}/{state}"
    if eu is not None:
        return ("https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT="
                + registration_key[4:])
    if upper.startswith("ISRCTN"):
        return f"https://www.isrctn.com/{registration_key}"
    if upper.startswith("DRKS"):
        return f"https://drks.de/search/en/trial/{registration_key}"
    return f"https://trialsearch.who.int/Trial2.aspx?TrialID={registration_key}"
