"""A condition's or an intervention's own words tied to MeSH, MONDO and ChEBI: deterministic,
offline, and never a guess.

A name is folded as a curator would read it (:func:`key`: case, punctuation, British spelling,
a salt or a dose after a drug's name) and looked up among the names and synonyms the shipped
tables hold (``kg/data/grounding_*.tsv.gz``, built by :mod:`kg.data.build_grounding`): first
as written, then in any word order. The tables are sorted text, unpacked once a process when a
name is first grounded and searched by bisection, with no table built from them. A
condition named with a stage, a grade or "recurrent" is looked up without them, and what it
finds is broader than the condition (a staged lung cancer is not "lung cancer"). Where two ids
of one vocabulary are equally good, neither is linked: a wrong link is worse than none. A drug
given as a combination ("Lapatinib/nab-Paclitaxel", "docetaxel + plinabulin") is grounded a
component at a time.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

# British spellings, as parts of words, to the American ones MeSH and MONDO use.
_SPELLINGS = (("haem", "hem"), ("aemi", "emi"), ("paed", "ped"), ("oedem", "edem"),
              ("oesoph", "esoph"), ("oestr", "estr"), ("foet", "fet"), ("coeli", "celi"),
              ("rrhoe", "rrhe"), ("pnoe", "pne"), ("tumour", "tumor"), ("aesth", "esth"),
              ("gynaec", "gynec"), ("sulph", "sulf"), ("aluminium", "aluminum"),
              ("caesar", "cesar"), ("faec", "fec"), ("behaviour", "behavior"),
              ("necrotis", "necrotiz"), ("immunis", "immuniz"), ("sensitis", "sensitiz"),
              ("hospitalis", "hospitaliz"))
_NON_WORD = re.compile(r"[^\w]+|_")
_CODE_GAP = re.compile(r"(?<=[a-z]) (?=\d)")  # "apg 2575" and "apg2575": one drug code
_QUALIFIER = re.compile(
    r"\b(?:stages?\s+(?:[0-4]|i{1,3}v?|iv|v)[abc]?\d?(?:\s*(?:-|to|or|and)\s*(?:[0-4]|i{1,3}v?|iv)"
    r"[abc]?\d?)?|grades?\s+[1-4i-v]+|ajcc\s+v\d+|recurrent|refractory|relapsed|metastatic|"
    r"advanced|locally\s+advanced|unresectable|resectable|locali[sz]ed|early|"
    r"newly\s+diagnosed|previously\s+treated|untreated|[a-z0-9]+[\s-]+(?:positive|negative)|"
    r"(?:(?:mild|moderate)\s*(?:-|to)\s*)?"
    r"(?:mild|moderate|severe)|acute|chronic|persistent|high[\s-]+risk)\b", re.IGNORECASE)
# A parenthesis inside a name: an abbreviation of it ("Autism Spectrum Disorder (ASD)") or a
# remark ("(Not Recruiting)").
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")
_ABBREVIATION = re.compile(r"[A-Z0-9][A-Za-z0-9-]{1,7}")
# Where a condition is ("… of the Head and Neck"): without it the condition is broader.
_SITE = re.compile(r"\s+of\s+(?:the\s+)?[\w\s,-]+$", re.IGNORECASE)
# Roots no broader link ends at: every disease is one of them, so such a link says nothing.
ROOTS = frozenset({"MONDO:0000001", "MONDO:0700096", "MESH:D004194"})
_SALTS = frozenset("""hydrochloride dihydrochloride hcl hydrobromide sodium disodium potassium
    calcium magnesium sulfate sulphate mesylate mesilate maleate tartrate citrate acetate
    phosphate succinate fumarate tosylate besylate bromide chloride""".split())
_DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|g|mcg|µg|ug|ng|ml|l|iu|units?|%|mmol|meq)"
                   r"(?:\s*/\s*(?:kg|m2|m²|ml|day|d))?\b", re.IGNORECASE)
_NEOPLASM = re.compile(r"\b(?:cancers?|tumou?rs?|neoplasms?)\b", re.IGNORECASE)
_STOP = frozenset({"of", "the"})
_COMPONENTS = re.compile(r"\s*(?:/|\+|\bplus\b|\bwith\b|\band\b|,|;)\s*", re.IGNORECASE)
# Names of no substance, whatever a dictionary says ("chemotherapy" is MeSH's Drug Therapy).
REGIMENS = frozenset({"chemotherapy", "standard of care", "triple therapy", "dual therapy",
                      "combination therapy", "best supportive care", "usual care",
                      "treatment as usual", "observation", "radiotherapy", "surgery",
                      "standard therapy", "standard treatment", "placebo"})
# Longer than any name a vocabulary holds: such text is not looked up (and the patterns above
# never meet a text of many thousand characters).
LONGEST_NAME = 300
# The ranks of the kinds of name: a preferred name before a synonym or an entry term.
RANK = {"mesh-name": 0, "supplementary-name": 0, "mondo-name": 0, "chebi-name": 0,
        "chembl-name": 0, "mesh-entry": 1, "supplementary-synonym": 1, "mondo-synonym": 1}
# What a condition may be tied to in MeSH: a disease, or another thing a trial states as its
# condition (a behaviour, a procedure, a phenomenon such as pregnancy).
CONDITION_BRANCHES = frozenset({"disease", "finding"})


def key(name: str) -> str:
    """A name folded for lookup: NFKC, lower case, every run of punctuation one space, British
    spellings American, a code's letters joined to its number (``APG-2575``, ``APG2575``)."""
    text = _NON_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()
    words = []
    for word in text.split():
        for british, american in _SPELLINGS:
            if british in word:
                word = word.replace(british, american)
        words.append(word)
    return _CODE_GAP.sub("", " ".join(words))


def bag(folded: str) -> str:
    return " ".join(sorted(w for w in folded.split() if w not in _STOP))


class Found(NamedTuple):
    curie: str
    kind: str  # how it was found: mesh-entry, mondo-synonym, ..., registry-index, mapping-set
    words: str  # the name as looked up (its key)
    broader: bool  # found without the name's stage, grade or course: broader than the name
    via: str = ""  # for a link chained through a mapping set: the CURIE it was reached from
    mapping_set: str = "grounding"  # the set it comes from (mapping_sets.json's names)


class SortedRows:
    """A sorted, gzipped file of tab-separated rows, unpacked into memory: the rows of a first
    column, found by bisection over its bytes."""

    def __init__(self, name: str) -> None:
        self.data = gzip.decompress(resources.files("kg.data").joinpath(name).read_bytes())

    def rows(self, first: str) -> list[list[str]]:
        wanted = first.encode() + b"\t"
        data, size = self.data, len(wanted)
        low, high = 0, len(data)  # line starts; the first line not before ``wanted`` is in
        while low < high:
            middle = (low + high) // 2
            start = data.rfind(b"\n", 0, middle) + 1  # the line that holds the middle
            if data[start:start + size] < wanted:
                low = data.find(b"\n", middle) + 1
            else:
                high = start
        found = []
        while data[low:low + size] == wanted:
            end = data.find(b"\n", low)
            found.append(data[low:end].decode().split("\t"))
            low = end + 1
        return found


class Tables(NamedTuple):
    terms: SortedRows
    bags: SortedRows
    ids: SortedRows  # CURIE -> its branch, related ids and preferred name


@cache
def tables() -> Tables:
    """The shipped tables, unpacked when a name is first grounded."""
    return Tables(SortedRows("grounding_terms.tsv.gz"), SortedRows("grounding_bags.tsv.gz"),
                  SortedRows("grounding_ids.tsv.gz"))


@lru_cache(maxsize=1 << 16)
def _about(curie: str) -> tuple[str, str, str]:
    """(branch, related ids, preferred name) of an id: empty for one the tables do not
    know."""
    rows = tables().ids.rows(curie)
    return (rows[0][1], rows[0][2], rows[0][3]) if rows else ("", "", "")


def label(curie: str) -> str | None:
    """An id's preferred name in the vocabulary it belongs to (MONDO, ChEBI, ChEMBL, a MeSH
    disease)."""
    return _about(curie)[2] or None


def is_disease(curie: str) -> bool:
    """A MONDO term, or a MeSH descriptor or supplementary concept of a disease (not a
    behaviour, a procedure or a phenomenon a trial may state as its condition)."""
    return curie.startswith("MONDO:") or _about(curie)[0] == "disease"


def _wanted(curie: str, what: str) -> bool:
    vocabulary = curie.partition(":")[0]
    if what == "condition":
        return vocabulary == "MONDO" or (
            vocabulary == "MESH" and _about(curie)[0] in CONDITION_BRANCHES)
    return vocabulary in ("CHEBI", "CHEMBL") or (
        vocabulary == "MESH" and _about(curie)[0] == "substance")


def _unique(candidates: Iterable[list[str]], folded: str, broader: bool, what: str
            ) -> dict[str, Found]:
    """Per vocabulary, the one id its best-ranked names give; none where they give two."""
    by_vocabulary: dict[str, list[tuple[int, str, str]]] = {}
    for _, curie, kind in candidates:
        if _wanted(curie, what):
            by_vocabulary.setdefault(curie.partition(":")[0], []).append(
                (RANK[kind], curie, kind))
    found = {}
    for vocabulary, ranked in by_vocabulary.items():
        best = min(rank for rank, _, _ in ranked)
        ids = {(curie, kind) for rank, curie, kind in ranked if rank == best}
        if len({curie for curie, _ in ids}) == 1:
            curie, kind = min(ids)
            found[vocabulary] = Found(curie, kind, folded, broader)
    return found


def _without_spelled_acronym(name: str) -> str:
    """The name without an acronym it spells out in place ("respiratory syncytial virus RSV
    infection"): the acronym of the words just before it says nothing more."""
    words = name.split()
    for at, word in enumerate(words):
        letters = word.strip("(),")
        if 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha() and \
                at >= len(letters) and "".join(w[0] for w in words[at - len(letters):at]
                                              ).upper() == letters:
            return " ".join(words[:at] + words[at + 1:])
    return name


def _attempts(name: str, what: str) -> list[tuple[str, bool]]:
    """The keys a name is looked up by, in order, each saying whether what it finds is broader
    than the name."""
    attempts = [(key(name), False), (key(_without_spelled_acronym(name)), False)]
    if "(" in name:  # without the parenthesis: the same name if it held an abbreviation
        inner = " ".join(_PARENTHESIS.findall(name))
        outer = _PARENTHESIS.sub(" ", name)
        attempts.append((key(outer), not _ABBREVIATION.fullmatch(inner.strip())))
        name = outer
    if what == "condition":
        stripped = _QUALIFIER.sub(" ", name)
        attempts.append((key(stripped), True))
        attempts.append((key(_NEOPLASM.sub("neoplasms", stripped)), True))
        if _SITE.search(stripped):
            attempts.append((key(_SITE.sub("", stripped)), True))
    else:
        words = [w for w in key(_DOSE.sub(" ", name)).split() if w not in _SALTS]
        attempts.append((" ".join(words), False))
    kept: dict[str, bool] = {}  # each key once, at its first (the least broad) place
    for folded, broader in attempts:
        if folded and folded not in REGIMENS:
            kept.setdefault(folded, broader)
    return list(kept.items())


def ground(name: str, what: str) -> list[Found]:
    """The ids a condition's (``what`` "condition") or a substance's ("substance") name stands
    for: at most one a vocabulary, each from the first way of looking the name up that finds
    one there. A text past :data:`LONGEST_NAME` is prose, not a name, and finds nothing."""
    name = " ".join(name.split())
    if len(name) > LONGEST_NAME:
        return []
    t = tables()
    found: dict[str, Found] = {}
    for folded, broader in _attempts(name, what):
        rows = t.terms.rows(folded)
        if " " in folded:  # in another word order, for a vocabulary the name did not find
            rows_in_any_order = t.terms.rows(bag(folded)) + t.bags.rows(bag(folded))
        else:
            rows_in_any_order = []
        for candidates in (rows, rows_in_any_order):
            for vocabulary, link in _unique(candidates, folded, broader, what).items():
                if not (broader and link.curie in ROOTS):
                    found.setdefault(vocabulary, link)
    outer = " ".join(_PARENTHESIS.sub(" ", name).split())
    if not found and what == "condition" and outer.count("/") == 1:
        # "myalgic encephalomyelitis/chronic fatigue syndrome": two names of one condition
        # when both find the same ids exactly ("asthma/COPD", two conditions, finds none)
        first, second = (ground(part, what) for part in outer.split("/"))
        same = {f.curie for f in first if not f.broader}
        if same and same == {f.curie for f in second if not f.broader}:
            return [f for f in first if not f.broader]
    return sorted(found.values())


def components(name: str) -> list[str]:
    """The substances a combination's name joins ("Lapatinib/nab-Paclitaxel"), or the name."""
    if len(name) > LONGEST_NAME:
        return [name]
    parts = [p for p in _COMPONENTS.split(" ".join(name.split())) if p.strip()]
    return parts if len(parts) > 1 else [name]


@cache
def grounding_set() -> dict:
    """What the tables are: their source package, version and licence, and the mapping set IRI
    every link found by them names (``kg/data/grounding_set.json``)."""
    return json.loads(resources.files("kg.data").joinpath("grounding_set.json").read_text())


def chembl_of(chebi: str) -> str | None:
    return _about(chebi)[1] or None
