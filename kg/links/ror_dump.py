"""ROR's data dump read once into a matching index, cached on disk by the dump's version.

ROR publishes its whole registry monthly (CC0) as a zip of one JSON array of v2 records
(``v1.NN-YYYY-MM-DD-ror-data_schema_v2.json``; the zip also holds v1 and CSV files). The index
keeps what matching needs and nothing else: every name a record has (its display name, labels
in every language, aliases) in the comparable form of :mod:`kg.links.org_names`; acronyms as
written; the country and city of each location; the status; parents (to prefer the most
specific of nested organisations) and successors (to follow a record that ROR retired).

Building it reads the dump as a stream, one record at a time (a few seconds), so memory holds
the index and not the dump; a zip is inflated as it is read, never past a limit, and a
malformed record is named and skipped. A cache directory that cannot be written costs the
cache, not the run. The index is written as JSON under the cache
directory, named by the dump's version and the SHA-256 of the file, so a second run reads it in
about a second, a new dump builds a new one, and an index is never used for another dump.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

import orjson

from kg.links.org_names import country_aliases, normal, word_bag, words

INDEX_FORMAT = 9  # bumped when the index's layout or the comparable form changes
_VERSION = re.compile(r"v\d+(?:\.\d+)+-\d{4}-\d{2}-\d{2}")
# A name qualified by a country in brackets, as ROR names companies' national branches
# ("Biogen (United States)"); the name without it is kept apart, to be matched only where the
# text gives the country.
_QUALIFIED = re.compile(r"^(.+?)\s*\(([^()]+)\)\s*$")
_STATUS = {"active": "a", "inactive": "i", "withdrawn": "w"}
_CHUNK = 1 << 22  # bytes read at a time
_RATIO = 100  # what a zipped dump may inflate to, as a multiple of the zip's size


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
    skipped: list[str] = field(default_factory=list)  # what building it left out, and why

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


class _Entry(NamedTuple):
    """What the index keeps of one record, worked out before any of it is added, so that a
    malformed record is skipped whole."""
    display: str
    status: str
    codes: list[str]
    cities: list[str]
    states: list[str]
    country_names: list[tuple[str, str]]
    names: list[str]
    acronyms: list[str]
    relations: list[tuple[str, str]]
    modified: str


def _entry(record: dict) -> _Entry:
    names = [n for n in record.get("names") or [] if isinstance(n, dict)
             and isinstance(n.get("value"), str)]
    codes, cities, states, country_names = [], [], [], []
    for location in record.get("locations") or []:
        details = location.get("geonames_details") or {}
        state = details.get("country_subdivision_name")
        if isinstance(state, str) and normal(state) not in states:
            states.append(normal(state))
        code = details.get("country_code")
        if isinstance(code, str) and code not in codes:
            codes.append(code)
            if isinstance(details.get("country_name"), str):
                country_names.append((normal(details["country_name"]), code))
        if isinstance(details.get("name"), str) and normal(details["name"]) not in cities:
            cities.append(normal(details["name"]))
    relations = [(r["type"], r.get("id")) for r in record.get("relationships") or []
                 if r.get("type") in ("parent", "successor")]
    modified = ((record.get("admin") or {}).get("last_modified") or {}).get("date")
    return _Entry(
        next((n["value"] for n in names if "ror_display" in (n.get("types") or [])),
             names[0]["value"] if names else record["id"]),
        _STATUS.get(record.get("status"), "w"), codes, cities, states, country_names,
        [n["value"] for n in names if "acronym" not in (n.get("types") or [])],
        [n["value"].strip() for n in names if "acronym" in (n.get("types") or [])],
        relations, modified if isinstance(modified, str) else "")


def build_index(records: Iterable, version: str) -> RorIndex:
    """The index of a dump's records (ROR's v2 schema), read one at a time. A record that is
    not ROR's v2 shape (``"locations": [1]``) is skipped whole and named in ``skipped``."""
    index = RorIndex(version=version, date="")
    position: dict[str, int] = {}
    relations: list[tuple[int, str, str]] = []
    qualified_names: list[tuple[int, str, str]] = []  # (record, name, its bracketed qualifier)
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            index.skipped.append(f"record {number}: not a record with an id; skipped")
            continue
        if "names" not in record:
            raise DumpError("records in ROR's v1 schema: give the dump's *_schema_v2.json")
        try:
            entry = _entry(record)
        except (AttributeError, TypeError, KeyError) as exc:
            index.skipped.append(f"record {number} ({record['id']}): not ROR's v2 shape "
                                 f"({type(exc).__name__}: {exc}); skipped")
            continue
        at = position[record["id"]] = len(index.ids)
        index.ids.append(record["id"])
        index.display.append(entry.display)
        index.status.append(entry.status)
        index.countries.append(entry.codes)
        index.cities.append(entry.cities)
        index.subdivisions.append(entry.states)
        for form, code in entry.country_names:
            index.country_names.setdefault(form, code)
        for acronym in entry.acronyms:
            _add(index.acronyms, acronym, at)
        for name in entry.names:
            _add_name(index, name, at)
            if qualified := _QUALIFIED.match(name):
                qualified_names.append((at, *qualified.groups()))
        relations += [(at, kind, other) for kind, other in entry.relations]
        index.date = max(index.date, entry.modified)
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


def _array_items(stream: BinaryIO, name: str, limit: int) -> Iterator[object]:
    """The items of the JSON array ``stream`` holds, parsed one at a time as the bytes come,
    never more than ``limit`` bytes read (a zip that inflates without end is refused)."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")()
    buffer, at, total, started, ended = "", 0, 0, False, False

    def more() -> bool:
        nonlocal buffer, at, total, ended
        chunk = stream.read(_CHUNK)
        total += len(chunk)
        if total > limit:
            raise DumpError(f"{name}: expands past {limit:,} bytes; refused (KG_ROR_DUMP_LIMIT)")
        buffer = buffer[at:] + text.decode(chunk, final=not chunk)
        at = 0
        ended = not chunk
        return bool(chunk)

    more()
    while True:
        while at < len(buffer) and buffer[at] in " \t\r\n" + ("," if started else ""):
            at += 1
        if at == len(buffer):
            if ended or not more():
                raise DumpError(f"{name}: not JSON: the array ends before its closing ']' "
                                "(a cut file?)")
            continue
        if not started:
            if buffer[at] != "[":
                while more():
                    pass
                try:
                    decoder.raw_decode(buffer, at)
                except json.JSONDecodeError as exc:
                    raise DumpError(f"{name}: not JSON ({exc.msg})") from exc
                raise DumpError(f"{name}: a ROR dump is a JSON array of records")
            started, at = True, at + 1
            continue
        if buffer[at] == "]":
            return
        try:
            item, end = decoder.raw_decode(buffer, at)
        except json.JSONDecodeError as exc:
            if not ended and more():
                continue  # the item goes on in the next piece
            raise DumpError(f"{name}: not JSON at character {exc.pos:,} ({exc.msg}); a cut or "
                            "damaged file?") from exc
        at = end
        yield item


def read_dump(path: Path) -> tuple[Iterator[object], str, Callable[[], None]]:
    """The records of a dump (its zip or its JSON) as they are read, its version, and what
    closes it. The records are parsed one at a time; a zip's member is inflated as it is
    read, never past ``KG_ROR_DUMP_LIMIT`` bytes (4 GB) nor 100 times the zip's size."""
    limit = int(os.environ.get("KG_ROR_DUMP_LIMIT", str(4 << 30)))
    try:
        if zipfile.is_zipfile(path):
            archive = zipfile.ZipFile(path)
            jsons = [n for n in archive.namelist() if n.endswith(".json")]
            v2 = [n for n in jsons if n.endswith("_schema_v2.json")]
            if len(v2 or jsons) != 1:
                archive.close()
                raise DumpError(f"{path}: expected one *_schema_v2.json (or one .json) in "
                                f"the zip, found {sorted(jsons) or 'none'}")
            member = (v2 or jsons)[0]
            stream = archive.open(member)
            limit = min(limit, max(_RATIO * path.stat().st_size, 1 << 20))

            def close() -> None:
                stream.close()
                archive.close()
            return (_guarded(_array_items(stream, f"{path}:{member}", limit), f"{path}:{member}"),
                    dump_version(path, member), close)
        handle = path.open("rb")
        if handle.read(4) == b"PK\x03\x04":
            handle.close()
            raise DumpError(f"{path}: a zip cut short or damaged (its directory of files is "
                            "missing); download the dump again")
        handle.seek(0)
        return (_guarded(_array_items(handle, str(path), limit), str(path)),
                dump_version(path, None), handle.close)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DumpError(f"{path}: cannot read the ROR dump: {exc}") from exc


def _guarded(items: Iterator[object], name: str) -> Iterator[object]:
    """The items, a damaged zip or an unreadable file reported as one :class:`DumpError`."""
    try:
        yield from items
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DumpError(f"{name}: the dump is cut short or damaged ({exc})") from exc


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
    records, version, close = read_dump(dump)
    try:
        index = build_index(records, version)
    finally:
        close()
    if cached is not None:
        part = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            part.write_bytes(index.to_json())
            os.replace(part, cached)
        except OSError as exc:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
            reason = exc.strerror or str(exc)
            index.skipped.append(f"the index is not cached ({cached.parent}: {reason}); "
                                 "it is built again next run")
    return index, False
