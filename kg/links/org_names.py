"""Organisation names and country names brought to one comparable form, for matching a
registry's free-text organisation names against ROR's names.

The form follows what ROR's own matcher does before it compares (ror-community/ror-api,
``rorapi/common/matching.py``, ``normalize``): Latin letters lose their accents, case is
dropped, ``&`` reads ``and``, a leading "the" goes, and the usual abbreviations (univ., inst.,
lab., tech.) are spelled out. kg also drops all punctuation (so "Wisconsin–Madison" and
"Wisconsin, Madison" agree), reads British and American spellings of "centre" alike, and spells
out dept./hosp./natl./ctr., which registry sponsors use often. Scripts other than Latin keep
their letters.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from importlib import resources

# Letters NFKD does not take apart into a base letter and a mark.
_LATIN_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE",
                                "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                                "ð": "d", "þ": "th", "ı": "i", "’": "'"})
_WORD = re.compile(r"\d+|[^\W\d_]+")  # digits apart from letters: "1Kyungpook", "Texas76204"
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´")  # "King's" and "Kings" alike
_RUN_ON = re.compile(r"(?<=[a-z]{3})(?=[A-Z])")  # "University of CopenhagenDenmark"
# Abbreviations read as the word they stand for, and "university" in the languages ROR's labels
# use, read as one word (after case and punctuation are gone).
_WORDS = {"univ": "university", "inst": "institute", "lab": "laboratory",
          "labs": "laboratories", "tech": "technology", "dept": "department", "hosp": "hospital",
          "natl": "national", "ctr": "center", "centre": "center", "centres": "centers",
          "technische": "technical", "technischen": "technical",
          **dict.fromkeys(("universitaet", "universitat", "universita", "universite",
                           "universidad", "universidade", "universiteit", "universitet",
                           "uniwersytet", "universiti", "universitas", "universitatea",
                           "univerzita", "universitetet", "universitesi"), "university")}
# Words that do not tell one organisation from another when the order of a name's words is set
# aside ("Heidelberg University", "Universität Heidelberg", "University of Heidelberg"; "Pfizer
# Inc." and "Pfizer").
_FILLER = frozenset({"of", "the", "and", "de", "di", "da", "do", "del", "della", "degli",
                     "studi", "des", "du", "la", "le", "der", "fur", "zu", "y", "e", "i", "at",
                     "in", "for", "inc", "incorporated", "ltd", "limited", "co", "corp",
                     "corporation", "company", "gmbh", "ag", "sa", "llc", "plc", "kk", "bv",
                     "nv", "spa", "srl"})


def fold(text: str) -> str:
    """Accents off Latin letters, compatibility forms (ligatures, full-width letters) unfolded,
    lower case."""
    text = unicodedata.normalize("NFKD", text.translate(_LATIN_LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The name's words in the comparable form: HTML character references read (texts from
    publishers' metadata keep them: "Xi&#x2019;an"), folded, apostrophes and punctuation gone,
    abbreviations spelled out, ``&`` as "and", no "at" ("University of Texas at Arlington" is
    also written without it), no leading "the"."""
    text = _RUN_ON.sub(" ", html.unescape(text)).replace("&", " and ").translate(_APOSTROPHES)
    found = [_WORDS.get(w, w) for w in _WORD.findall(fold(text)) if w != "at"]
    if len(found) > 1 and found[0] == "the":
        del found[0]
    return found


def normal(text: str) -> str:
    """The comparable form of a whole name, its words joined by single spaces."""
    return " ".join(words(text))


# Words that say what kind of body a name is: their place in a name varies by language and
# habit ("Southampton University", "University of Southampton", "Universität Heidelberg").
KIND_WORDS = frozenset({"university", "institute", "college", "school", "academy", "hospital",
                         "center", "laboratory", "foundation", "society", "museum", "library",
                         "clinic", "polytechnic", "council", "agency", "association"})


def word_bag(found: list[str]) -> str:
    """A name's key with its kind words out of place and its filler gone: the key under which
    "Southampton University" and "University of Southampton" meet. The other words keep their
    order, so "Management Development Institute" and "Institute of Development Management" do
    not."""
    kinds = sorted({w for w in found if w in KIND_WORDS})
    rest = [w for w in found if w not in KIND_WORDS and w not in _FILLER]
    return " ".join(rest) + " | " + " ".join(kinds)


@cache
def country_aliases() -> dict[str, str]:
    """Names a text uses for a country that are not the country's own English name as ROR's
    locations give it (``kg/data/country_names.tsv``), in the comparable form -> ISO 3166 code."""
    table: dict[str, str] = {}
    text = resources.files("kg.data").joinpath("country_names.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            table[normal(name)] = code
    return table


@cache
def subdivisions() -> dict[str, list[tuple[str, str]]]:
    """States and provinces by their name and postal abbreviation, in the comparable form ->
    [(ISO 3166 country code, the name in the comparable form)]; an abbreviation two countries
    use ("WA") has both (``kg/data/subdivisions.tsv``)."""
    table: dict[str, list[tuple[str, str]]] = {}
    text = resources.files("kg.data").joinpath("subdivisions.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, abbreviation, name = line.split("\t")
            for key in filter(None, (normal(name), normal(abbreviation))):
                table.setdefault(key, []).append((code, normal(name)))
    return table


# Countries ROR's matcher treats as one, because texts confuse them (its ``to_region``).
_REGIONS = {"GB": "GB-UK", "UK": "GB-UK", "CN": "CN-HK-TW", "HK": "CN-HK-TW",
            "TW": "CN-HK-TW", "PR": "US-PR", "US": "US-PR"}


def region(country_code: str) -> str:
    return _REGIONS.get(country_code, country_code)
