"""ROR's data dump read once into a matching index, cached on disk by the dump's version.

ROR publishes its whole registry monthly (CC0) as a zip of one JSON array of v2 records
(``v1.NN-YYYY-MM-DD-ror-data_schema_v2.json``; the zip also holds v1 and CSV files). The index
keeps what matching needs and nothing else: every name a record has (its display name, labels
in every language, aliases) in the comparable form of :mod:`kg.links.org_names`; acronyms as
written; the country and city of each location; the status; parents (to prefer the most
specific of nested organisations) and successors (to follow a record that ROR retired).

Building it reads the whole dump (a few seconds; the JSON is parsed whole, so the build's peak
memory is some ten times the JSON's size). The index is written as JSON under the cache
directory, named by the dump's version and the SHA-256 of the file, so a second run reads it in
about a second, a new dump builds a new one, and an index is never used for another dump.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from kg.links.org_names import country_aliases, normal, word_bag, words

INDEX_FORMAT = 8  # bumped when the index's layout or the comparable form changes
_VERSION = re.compile(r"v\d+(?:\.\d+)+-\d{4}-\d{2}-\d{2}")
# A name qualified by a country in brackets, as ROR names companies' national branches
# ("Biogen (United States)"); the name without it is kept apart, to be matched only where the
# text gives the country.
_QUALIFIED = re.compile(r"^(.+?)\s*\(([^()]+)\)\s*$")
_STATUS = {"active": "a", "inactive": "i", "withdrawn": "w"}


class DumpError(Exception):
    """A dump that cannot be read as ROR's v2 data dump; the message names the file."""


@dataclass
class RorIndex:
    """Records by position; names, acronyms and country names point at positions."""

    version: str  # the dump's release (v1.NN-YYYY-MM-DD) or its file's name
    date: str  # the newest record's last modification: the day the dump describes
    ids: list[str] = field(default_factory=list)
    display: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)  # a(ctive), i(nactive), w(ithdrawn)
    countries: list[list[str]] = field(default_factory=list)  # ISO codes of its locations
    cities: list[list[str]] = field(default_factory=list)  # comparable forms
    subdivisions: list[list[str]] = field(default_factory=list)  # states, provinces: the same
    parents: dict[int, list[int]] = field(default_factory=dict)
    successors: dict[int, list[int]] = field(default_factory=dict)
    names: dict[str, list[int]] = field(default_factory=dict)  # comparable form -> records
    bags: dict[str, list[int]] = field(default_factory=dict)  # words without order -> records
    # a company's national branch by its name without the bracketed country ("Biogen")
    branches: dict[str, list[int]] = field(default_factory=dict)
    acronyms: dict[str, list[int]] = field(default_factory=dict)  # as written -> records
    country_names: dict[str, str] = field(default_factory=dict)  # comparable form -> code

    def to_json(self) -> bytes:
        return orjson.dumps({"format": INDEX_FORMAT, **self.__dict__},
                            option=orjson.OPT_NON_STR_KEYS)

    @classmethod
    def from_json(cls, data: bytes) -> RorIndex:
        raw = orjson.loads(data)
        if raw.pop("format", None) != INDEX_FORMAT:
            raise ValueError("index written by another version of kg")
        for key in ("parents", "successors"):
            raw[key] = {int(k): v for k, v in raw[key].items()}
        return cls(**raw)


def build_index(records: list, version: str) -> RorIndex:
    """The index of a dump's records (ROR's v2 schema)."""
    index = RorIndex(version=version, date="")
    position = {}
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            continue
        if "names" not in record:
            raise DumpError("records in ROR's v1 schema: give the dump's *_schema_v2.json")
        position[record["id"]] = len(index.ids)
        index.ids.append(record["id"])
    relations: list[tuple[int, str, str]] = []
    qualified_names: list[tuple[int, str, str]] = []  # (record, name, its bracketed qualifier)
    for record in records:
        if record.get("id") not in position:
            continue
        at = position[record["id"]]
        names = [n for n in record.get("names") or [] if isinstance(n, dict)
                 and isinstance(n.get("value"), str)]
        index.display.append(next((n["value"] for n in names
                                   if "ror_display" in (n.get("types") or [])),
                                  names[0]["value"] if names else record["id"]))
        index.status.append(_STATUS.get(record.get("status"), "w"))
        codes, cities, states = [], [], []
        for location in record.get("locations") or []:
            details = (location or {}).get("geonames_details") or {}
            state = details.get("country_subdivision_name")
            if isinstance(state, str) and normal(state) not in states:
                states.append(normal(state))
            code = details.get("country_code")
            if isinstance(code, str) and code not in codes:
                codes.append(code)
                if isinstance(details.get("country_name"), str):
                    index.country_names.setdefault(normal(details["country_name"]), code)
            if isinstance(details.get("name"), str) and normal(details["name"]) not in cities:
                cities.append(normal(details["name"]))
        index.countries.append(codes)
        index.cities.append(cities)
        index.subdivisions.append(states)
        for name in names:
            if "acronym" in (name.get("types") or []):
                _add(index.acronyms, name["value"].strip(), at)
            else:
                _add_name(index, name["value"], at)
                if qualified := _QUALIFIED.match(name["value"]):
                    qualified_names.append((at, *qualified.groups()))
        for relation in record.get("relationships") or []:
            if isinstance(relation, dict) and relation.get("type") in ("parent", "successor"):
                relations.append((at, relation["type"], relation.get("id")))
        modified = ((record.get("admin") or {}).get("last_modified") or {}).get("date")
        if isinstance(modified, str) and modified > index.date:
            index.date = modified
    for at, kind, other in relations:
        if other in position:
            target = index.parents if kind == "parent" else index.successors
            target.setdefault(at, []).append(position[other])
    for form, code in country_aliases().items():
        index.country_names.setdefault(form, code)
    for at, name, qualifier in qualified_names:
        if normal(qualifier) in index.country_names:
            _add(index.branches, normal(name), at)
    return index


def _add_name(index: RorIndex, name: str, at: int) -> None:
    if found := words(name):
        _add(index.names, " ".join(found), at)
        _add(index.bags, word_bag(found), at)


def _add(table: dict[str, list[int]], key: str, at: int) -> None:
    if key:
        places = table.setdefault(key, [])
        if at not in places:
            places.append(at)


def dump_version(path: Path, member: str | None) -> str:
    """The release a dump's file names carry (``v1.NN-YYYY-MM-DD``), or its file's name."""
    for name in (member or "", path.name):
        if found := _VERSION.search(name):
            return found.group()
    return path.name


def read_dump(path: Path) -> tuple[list, str]:
    """The records of a dump (its zip or its JSON) and its version."""
    member = None
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                jsons = [n for n in archive.namelist() if n.endswith(".json")]
                v2 = [n for n in jsons if n.endswith("_schema_v2.json")]
                if len(v2 or jsons) != 1:
                    raise DumpError(f"{path}: expected one *_schema_v2.json (or one .json) in "
                                    f"the zip, found {sorted(jsons) or 'none'}")
                member = (v2 or jsons)[0]
                data = archive.read(member)
        else:
            data = path.read_bytes()
        records = orjson.loads(data)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DumpError(f"{path}: cannot read the ROR dump: {exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise DumpError(f"{path}{':' + member if member else ''}: not JSON: {exc}") from exc
    if not isinstance(records, list):
        raise DumpError(f"{path}: a ROR dump is a JSON array of records")
    return records, dump_version(path, member)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def load_index(dump: Path, cache_dir: Path | None) -> tuple[RorIndex, bool]:
    """The dump's index, from the cache when it was built before; (index, read from cache)."""
    cached = None
    if cache_dir is not None:
        version = dump_version(dump, None)
        cached = cache_dir / f"ror-index-{version}-{_digest(dump)[:16]}.json"
        try:
            return RorIndex.from_json(cached.read_bytes()), True
        except (OSError, ValueError, TypeError, KeyError):
            pass  # not built yet, or built by another kg: build it again
    records, version = read_dump(dump)
    index = build_index(records, version)
    del records
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        part.write_bytes(index.to_json())
        os.replace(part, cached)
    return index, False
