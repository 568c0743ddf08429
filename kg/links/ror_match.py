"""Organisation names matched to ROR ids offline, against the index of ROR's data dump.

Precision comes first: a wrong ROR id joins two organisations that are not the same, which is
worse than no link. So a name is matched only where a ROR name says the same thing, and where
one active record remains after what the text itself says (its country, its city) has ruled the
others out; two records left is a refusal, not a guess.

The rules, in the order a longer match beats a shorter one (each found match covers a stretch of
the text's words; a stretch already matched is not matched again inside):

``exact`` (score 1.0)
    The whole text, in the comparable form, is one of a record's names (display name, labels in
    any language, aliases; a company's name also without its bracketed country, where the text
    gives that country: "Biogen, Cambridge, MA" is "Biogen (United States)", "Biogen" alone is
    none of its national branches).
``part`` (0.95)
    One or more whole comma-separated parts of the text are a name ("Department of Medicine,
    University of Toronto, Canada": "University of Toronto"). A part that is only a city or a
    country is never matched (as in ROR's matcher).
``reordered`` (0.9)
    One part (or the whole text) has a name's words with its kind words ("University",
    "Institute") elsewhere and its filler ("of", "the", "Inc.") left out: "Southampton
    University" for "University of Southampton", "Universität Heidelberg" for "Heidelberg
    University". The other words keep their order.
``contained`` (0.85)
    A name of two words or more appears inside a part, at word boundaries, and the words around
    it leave it standing alone (see ``_alone_in_part``): "Department of Surgery Mayo Clinic
    Rochester" gives Mayo Clinic; "Aarhus University Hospital" does not give Aarhus University,
    nor "Hubei University of Medicine" Hubei University. Names three or more records share are not
    taken this way.
``acronym`` (0.9)
    The whole text, in capitals, is an acronym of one active record (in the text's country,
    where several share it). ROR's API never chooses a match by acronym; kg takes only a text
    that is nothing else ("CNRS", "UNESP"), as registry sponsors often are.

Where one text names a unit and another organisation ("Key Laboratory X, Ministry of Education,
Sichuan University"), a name that only says what kind of body it is ("Ministry of Education",
"Department of Biotechnology") is dropped: it is the other's unit, not a record of that name
elsewhere.

What decides between records that share a name: active records over inactive ones; the country
(a site's country from the registry, or country names in the text, read with ROR's own grouping
of GB/UK, CN/HK/TW and US/PR); then the city: a site's city from the registry must be the
record's ("Community Hospital" in Missoula is not the one in Ohio; Mayo Clinic's Jacksonville
site is not the Rochester record), and otherwise a record's city named in the text decides. A
name whose only records ROR retired is followed to their successor (the rule gains
``>successor``) when exactly one active successor is named.

What kg keeps from ROR's API matcher (ror-community/ror-api, ``rorapi/common/matching.py`` and
``matching_single_search.py``): the comparable form, splitting on commas, the country regions
and refusing candidates from another country, never matching a part that is only a country,
active records only, chosen matches only. What kg leaves: ROR's fuzzy (Elasticsearch)
candidates and its fuzzy-ratio thresholds (0.9; 0.96 in its single-search mode), which choose
misspelt and near names ("Univcrsity", "Los Angles") at the price of wrong ids where two
organisations' names are near; kg's ``reordered`` rule keeps the part of ROR's heuristics ("X
University" for "University of X") that stays exact. The README gives the numbers.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.links.org_names import KIND_WORDS as _KIND_WORDS
from kg.links.org_names import normal, region, subdivisions, word_bag, words
from kg.links.ror_dump import RorIndex

_PARTS = re.compile(r"[,;()\[\]|]|\s[-–/]\s")
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&.\-]{1,15}")
_LONGEST = 12  # words in the longest name worth looking for inside a part
SCORES = {"exact": 1.0, "part": 0.95, "reordered": 0.9, "acronym": 0.9, "contained": 0.85}


class Found(NamedTuple):
    ror: str
    name: str  # ROR's display name
    score: float
    rule: str  # exact, part, contained, acronym (then ">successor" where followed)


class Refusal(NamedTuple):
    reason: str  # why no id was chosen, for the report


class _Stretch(NamedTuple):
    start: int  # first word of the text it covers
    end: int  # one past its last word
    rule: str
    records: list[int]
    part: tuple[int, int] = (0, 0)  # the words of the part it lies in (contained)
    branch: bool = False  # a company's name without its country: the text must give one


# A name found inside a part stands for its organisation only where the words around it do not
# make it a piece of another organisation's name. Words before it must open the name of a unit
# ("Department of Surgery Mayo Clinic"; not "Robert H. Lurie Comprehensive Cancer Center of
# Northwestern University"); words after it must not carry the name on ("Hubei University of
# Medicine", "University of Nevada at Las Vegas"); and no words around it may name a place of
# care, which ROR registers apart from the university it belongs to ("Aarhus University
# Hospital", "The Affiliated Hospital of Qingdao University", "University of Virginia Medical
# Center").
_UNITS = frozenset({"department", "departments", "division", "section", "unit", "units",
                    "laboratory", "laboratories", "school", "college", "faculty",
                    "institute", "center", "graduate", "program", "programme", "group", "chair",
                    "service", "services", "centro", "departamento", "faculdade",
                    "facultad", "faculte", "institut", "instituto", "istituto", "dipartimento"})
_CARE_PLACES = frozenset({"center", "centers", "institute", "hospital"})
_OBJECT_OF = frozenset({"of", "for", "on", "in", "de", "des", "du", "di"})
_GOES_ON = frozenset({"of", "for", "at", "de", "di", "des", "del", "der", "fur"})
_CARE = frozenset({"hospital", "hospitals", "clinic", "clinics", "klinikum", "hopital",
                   "hopitaux", "ospedale", "hospitalier", "infirmary", "affiliated"})


# Names that say what kind of body something is and of what, with no name of its own ("Ministry
# of Education", "Department of Biotechnology", "Institute of Biophysics"): beside another
# organisation in one text they are that organisation's unit, whatever record of the same name
# ROR has elsewhere.
_KINDS = frozenset({"department", "ministry", "institute", "school", "faculty", "college",
                    "academy", "division", "laboratory", "center", "province", "government",
                    "key", "state", "graduate", "office", "bureau", "directorate", "council"})


def _states_named(found: list[str]) -> set[str]:
    """The states and provinces some words name ("Arizona", "AZ", "New South Wales")."""
    table = subdivisions()
    return {name for n in (1, 2, 3) for k in range(len(found) - n + 1)
            for _, name in table.get(" ".join(found[k:k + n]), ())}


def _is_unit(found: list[str]) -> bool:
    return bool(found) and found[0] in _KINDS and any(w in ("of", "for") for w in found[1:4])


class Matcher:
    """Matching against one dump's index; answers for a name are remembered (a registry
    repeats its sponsors' names thousands of times)."""

    def __init__(self, index: RorIndex) -> None:
        self.index = index
        self._memo: dict[tuple, list[Found] | Refusal] = {}
        self._position = {ror: at for at, ror in enumerate(index.ids)}
        self._places = frozenset(c for cs in index.cities for c in cs)  # every record's city
        # the words of country, state and province names ("Morgantown West Virginia USA")
        self._country_words = frozenset(w for name in (*index.country_names, *subdivisions())
                                        for w in name.split())

    # -- the two questions ------------------------------------------------------------------

    def match_name(self, name: str, city: str | None = None,
                   country: str | None = None) -> Found | Refusal:
        """The one organisation a name (a sponsor, a site's facility) stands for. Where the text
        names nested organisations ("Harvard Medical School, Harvard University") the most
        specific is taken; where it names unrelated ones, none."""
        found = self.match_affiliation(name, city, country)
        if isinstance(found, Refusal):
            return found
        if len(found) == 1:
            return found[0]
        positions = {self._position[f.ror]: f for f in found}
        innermost = [p for p in positions
                     if all(q == p or q in self._ancestors(p) for q in positions)]
        if len(innermost) == 1:
            return positions[innermost[0]]
        return Refusal("names several organisations: " + "; ".join(f.name for f in found))

    def match_affiliation(self, text: str, city: str | None = None,
                          country: str | None = None) -> list[Found] | Refusal:
        """Every organisation an affiliation text names, each once."""
        key = (text, city, country)
        if key not in self._memo:
            self._memo[key] = self._match(text, city, country)
        return self._memo[key]

    # -- the rules ---------------------------------------------------------------------------

    def _match(self, text: str, city: str | None, country: str | None) -> list[Found] | Refusal:
        parts = [p.strip() for p in _PARTS.split(text)]
        part_words = [words(p) for p in parts]
        if not any(part_words):
            return Refusal("no words to match")
        regions = self._regions(part_words, country)
        flat = [w for ws in part_words for w in ws]
        cities = [normal(city)] if city else []
        stretches = self._stretches(parts, part_words, regions)
        chosen: list[Found] = []
        units: list[bool] = []
        taken: list[tuple[int, int]] = []
        refusals: list[str] = []
        for stretch in sorted(stretches, key=lambda s: (s.start - s.end, s.start)):
            if any(s < stretch.end and stretch.start < e for s, e in taken):
                continue
            outcome = self._resolve(stretch, regions, cities, flat)
            if isinstance(outcome, Refusal):
                refusals.append(outcome.reason)
                if stretch.rule in ("exact", "part", "reordered"):
                    taken.append((stretch.start, stretch.end))  # no shorter guess inside it
                continue
            taken.append((stretch.start, stretch.end))
            if all(f.ror != outcome.ror for f in chosen):
                chosen.append(outcome)
                units.append(_is_unit(flat[stretch.start:stretch.end]))
        if len(chosen) > 1:  # "Department of Biotechnology, Indian Institute of Technology"
            chosen = [f for f, unit in zip(chosen, units, strict=True) if not unit] or chosen
        if chosen:
            return chosen
        return Refusal(refusals[0] if refusals else "no ROR name in the text")

    def _regions(self, part_words: list[list[str]], country: str | None) -> set[str]:
        """The countries the text is in: the one given, else the parts that are a country's
        name, and the closing words of the last of several parts ("Saitama 349-0294 Japan")."""
        names = self.index.country_names
        if country:
            code = names.get(normal(country), country if len(country) == 2 else None)
            return {region(code.upper())} if code else set()
        found = set()
        named = [[w for w in ws if not w.isdigit()] for ws in part_words]  # no postcodes
        named = [ws for ws in named if ws]
        states = subdivisions()
        said = [" ".join(ws) for ws in named]
        if len(named) > 1:
            said += [" ".join(named[-1][-n:]) for n in (1, 2, 3) if len(named[-1]) > n]
        for key in said:
            if (code := names.get(key)) is not None:
                found.add(region(code))
            found.update(region(c) for c, _ in states.get(key, ()))
        return found

    def _stretches(self, parts: list[str], part_words: list[list[str]],
                   regions: set[str]) -> list[_Stretch]:
        index = self.index
        starts = []
        at = 0
        for ws in part_words:
            starts.append(at)
            at += len(ws)
        stretches = []
        flat = [w for ws in part_words for w in ws]
        whole = " ".join(flat)
        if whole in index.names:
            stretches.append(_Stretch(0, at, "exact", index.names[whole]))
        elif whole in index.branches:
            stretches.append(_Stretch(0, at, "exact", index.branches[whole], branch=True))
        elif (bag := word_bag(flat)) in index.bags:
            stretches.append(_Stretch(0, at, "reordered", index.bags[bag]))
        places = self._places
        states = subdivisions()
        for i in range(len(parts)):
            for j in range(i, min(i + 3, len(parts))):
                if not part_words[j] or (j > i and not part_words[i]):
                    continue
                found = [w for ws in part_words[i:j + 1] for w in ws]
                key = " ".join(found)
                if key == whole or key in index.country_names or key in places or key in states:
                    continue  # never match a part that is only a place (as ROR does)
                end = starts[j] + len(part_words[j])
                if key in index.names:
                    stretches.append(_Stretch(starts[i], end, "part", index.names[key]))
                elif key in index.branches:
                    stretches.append(_Stretch(starts[i], end, "part", index.branches[key],
                                              branch=True))
                elif i == j and (bag := word_bag(found)) in index.bags:
                    stretches.append(_Stretch(starts[i], end, "reordered", index.bags[bag]))
            ws = part_words[i]
            for n in range(min(len(ws) - 1, _LONGEST), 1, -1):
                for k in range(len(ws) - n + 1):
                    key = " ".join(ws[k:k + n])
                    records = index.names.get(key)
                    if records is not None and len(records) <= 2 and key not in places:
                        stretches.append(_Stretch(starts[i] + k, starts[i] + k + n, "contained",
                                                  records, (starts[i], starts[i] + len(ws))))
        acronym = ",".join(parts).strip(" .")
        if _ACRONYM.fullmatch(acronym) and sum(c.isupper() for c in acronym) > 2:
            if acronym in index.acronyms and acronym.lower() not in index.country_names:
                stretches.append(_Stretch(0, at, "acronym", index.acronyms[acronym]))
        return stretches

    def _resolve(self, stretch: _Stretch, regions: set[str], cities: list[str],
                 flat: list[str]) -> Found | Refusal:
        index = self.index
        rule = stretch.rule
        records = [r for r in stretch.records if index.status[r] == "a"]
        if not records:
            records = sorted({s for r in stretch.records for s in self._successors(r)})
            rule += ">successor"
            if not records:
                return Refusal(f"{index.display[stretch.records[0]]}: ROR retired it "
                               "and names no active successor")
        if stretch.branch and not regions:
            return Refusal(f"{index.display[records[0]]}: a company's national branch, and the "
                           "text names no country")
        if regions:
            records = [r for r in records
                       if any(region(c) in regions for c in index.countries[r])]
            if not records:
                return Refusal(f"{index.display[stretch.records[0]]}: in another country")
        elif stretch.rule == "acronym" and len(records) > 1:
            return Refusal("an acronym several records share, and no country")
        if stretch.rule == "contained":
            records = self._alone_in_part(stretch, records, flat)
            if not records:
                return Refusal(f"{index.display[stretch.records[0]]}: a part of a longer name")
        if cities:  # a site's city, from the registry: a record elsewhere is another place
            records = [r for r in records if cities[0] in index.cities[r]]
            if not records:
                return Refusal(f"{index.display[stretch.records[0]]}: in another city")
        if len(records) > 1:
            said = f" {' '.join(flat[:stretch.start] + ['|'] + flat[stretch.end:])} "
            here = [r for r in records if any(c in cities or f" {c} " in said
                                              for c in index.cities[r])]
            records = here or records
        if len(records) > 1:
            return Refusal(f"ambiguous: {len(records)} records are named "
                           f"{index.display[records[0]]!r}")
        at = records[0]
        return Found(index.ids[at], index.display[at], SCORES[stretch.rule], rule)

    def _alone_in_part(self, stretch: _Stretch, records: list[int],
                       flat: list[str]) -> list[int]:
        """The records a name inside a part may stand for, where the words around the name
        leave it standing alone (see :data:`_UNITS`). Footnote marks before it ("1", "a") do not
        count. Words after it may open a unit's name, say "in" a place, end an address with a
        country or state ("Hachioji Japan", "University Park PA USA"), or be the record's own
        city; any other words make the name a piece of another name ("University of Milan
        Bicocca", "Osaka University of Education")."""
        found = flat[stretch.start:stretch.end]
        before = flat[stretch.part[0]:stretch.start]
        while before and (before[0].isdigit() or len(before[0]) == 1):
            del before[0]
        after = [w for w in flat[stretch.end:stretch.part[1]] if not w.isdigit()]
        if _is_unit(found) or before and (not _UNITS.intersection(before) and before[-1] != "the"
                                          or before[-1] in _OBJECT_OF):
            return []
        near = before[-2:] + after[:3]
        if _CARE.intersection(near) or any(
                w in ("medical", "cancer") and nxt in _CARE_PLACES
                for w, nxt in zip(after[:3], after[1:4], strict=False)):
            return []
        if not after or after[0] in _UNITS or after[0] == "in":
            return records
        if after[0] in _GOES_ON:
            return []
        states = _states_named(after)
        records = [r for r in records if not states
                   or states.intersection(self.index.subdivisions[r])]
        if after[-1] in self._country_words and not _KIND_WORDS.intersection(after):
            return records  # an address, in the record's state where it names one
        tail = " ".join(after)
        return [r for r in records if any(tail == c or tail.startswith(c + " ")
                                          for c in self.index.cities[r])]

    def _successors(self, at: int, depth: int = 0) -> set[int]:
        """The active records that took over from a retired one (following chains)."""
        found = set()
        for nxt in self.index.successors.get(at, ()):
            if self.index.status[nxt] == "a":
                found.add(nxt)
            elif depth < 5:
                found |= self._successors(nxt, depth + 1)
        return found if len(found) == 1 else set()

    def _ancestors(self, at: int) -> set[int]:
        found: set[int] = set()
        todo = list(self.index.parents.get(at, ()))
        while todo:
            nxt = todo.pop()
            if nxt not in found:
                found.add(nxt)
                todo.extend(self.index.parents.get(nxt, ()))
        return found
