"""How much of the shared records joins the identifiers others use, and why the rest does not.

Usage: python -m benchmarks.identifiers [--chains N] [--partial] [--links]

Over the complete shared records (``../shared/records/v2``) and the bundled ones: the share of
drug and biological interventions and of stated conditions tied to a MeSH descriptor
(:mod:`kg.grounding.mesh_match`), by rule, with the reason for each one left unlinked; the share
of those descriptors the mapping sets match to ChEBI or MONDO; the results groups tied to an
arm, by rule, with the rest by reason; and ``--chains`` intervention -> MeSH -> ChEBI and
condition -> MeSH -> MONDO chains to check by hand; then the links the mapping writes for every
stated condition and drug or biological intervention (the registry's index, the words, the
mapping sets), by vocabulary and evidence, and with ``--links`` each of them for a hand check.
Not a timing: a coverage report.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import orjson

from kg.grounding.mesh import iri_curie, matches
from kg.grounding.mesh_match import (
    PLACEBO,
    Intervention,
    listed_descriptors,
    match_interventions,
    match_names,
)
from kg.mapping import map_record
from kg.mapping.context import MappingContext
from kg.mapping.fields import module
from kg.mapping.results.groups import arms_of_groups, is_pooled, record_groups
from kg.vocab import KG, KG_NS, SDO, SKOS

ROOT = Path(__file__).resolve().parents[1]
DRUG_KINDS = {KG_NS + "InterventionDrug", KG_NS + "InterventionBiological"}


def records(partial: bool = False) -> list[dict]:
    """The complete shared records and the bundled ones; with ``partial`` also the ``fields=``
    subsets of v2-partial (real records too, for more chains to check by hand)."""
    folders = ["v2", "v2-partial"] if partial else ["v2"]
    paths = sorted(p for f in folders for p in (ROOT.parent / "shared" / "records" / f).glob(
        "NCT*.json"))
    paths += [ROOT / "examples" / "NCT00698191.json",
              ROOT / "tests" / "fixtures" / "NCT09900001.json"]
    found = [orjson.loads(p.read_bytes()) for p in paths]
    return [r for r in found if isinstance(r.get("protocolSection"), dict)]


def target(mesh_id: str, prefix: str) -> str:
    found = [m.target for m in matches(f"MESH:{mesh_id}") if m.target.startswith(prefix)]
    return ", ".join(sorted(found)) or "-"


def main(chains: int, partial: bool, links_table: bool = False) -> None:
    interventions: Counter = Counter()
    conditions: Counter = Counter()
    mapped: Counter = Counter()
    groups: Counter = Counter()
    drug_chains, disease_chains = [], []
    for record in records(partial):
        nct = record["protocolSection"]["identificationModule"]["nctId"]
        arms = module(record, "protocolSection", "armsInterventionsModule")
        items = [i for i in arms.get("interventions", []) if isinstance(i, dict)]
        named = [Intervention(f"{nct}#{n}", str(i.get("type")), [
            x for x in [i.get("name"), *(i.get("otherNames") or [])] if isinstance(x, str)])
            for n, i in enumerate(items)]
        listed = listed_descriptors(module(record, "derivedSection", "interventionBrowseModule"))
        terms = {d.mesh_id: d.term for d in listed}
        links, reasons = match_interventions(named, listed)
        for item in named:
            if item.kind not in ("DRUG", "BIOLOGICAL"):
                continue
            found = links.get(item.iri)
            interventions[found[0].rule if found else f"unlinked: {reasons[item.iri]}"] += 1
            for link in found or ():
                chebi = target(link.mesh_id, "CHEBI:")
                mapped["drug descriptors with ChEBI" if chebi != "-" else
                       "drug descriptors without ChEBI"] += 1
                drug_chains.append(f"| {nct} | {item.names[0]} | {link.rule} | "
                                   f"{link.mesh_id} {terms[link.mesh_id]} | {chebi} |")
        cond = listed_descriptors(module(record, "derivedSection", "conditionBrowseModule"))
        cterms = {d.mesh_id: d.term for d in cond}
        for name in module(record, "protocolSection", "conditionsModule").get("conditions", []):
            found, reason = match_names([name], cond, contained=False)
            conditions[found[0].rule if found else f"unlinked: {reason}"] += 1
            for link in found:
                mondo = target(link.mesh_id, "MONDO:")
                mapped["condition descriptors with MONDO" if mondo != "-" else
                       "condition descriptors without MONDO"] += 1
                disease_chains.append(f"| {nct} | {name} | {link.rule} | "
                                      f"{link.mesh_id} {cterms[link.mesh_id]} | {mondo} |")
        has_arms = any(isinstance(a.get("label"), str) for a in arms.get("armGroups", []))
        for group in record_groups(record):
            groups["groups"] += 1
            if is_pooled(group):
                groups["unlinked: pooled (Total)"] += 1
            elif not has_arms:
                groups["unlinked: the record declares no arm"] += 1
    linked = Counter()
    for record in records(partial):
        linked.update(_group_rules(record))
    groups.update(linked)

    def show(title: str, counts: Counter, total_key: str | None = None) -> None:
        total = counts.pop(total_key) if total_key else sum(counts.values())
        done = sum(v for k, v in counts.items() if not k.startswith("unlinked"))
        print(f"{title}: {done} of {total} linked ({100 * done / max(total, 1):.0f}%)")
        for key, value in sorted(counts.items()):
            print(f"  {key}: {value}")

    show("drug and biological interventions -> MeSH", interventions)
    show("stated conditions -> MeSH", conditions)
    print("descriptors matched:", dict(sorted(mapped.items())))
    show("results groups -> arm", groups, "groups")
    reached, evidence, listed = Counter(), Counter(), []
    for record in records(partial):
        for kind, name, links in grounded_links(record):
            reached[f"{kind}s"] += 1
            for vocabulary in sorted({v for v, _, _, _ in links}):
                reached[f"{kind}s with {vocabulary}"] += 1
            evidence.update(f"{kind} {v} by {e}" for v, _, _, e in links)
            listed.append((record["protocolSection"]["identificationModule"]["nctId"], kind,
                           name, links))
    print("links of stated conditions and drug interventions (placebos aside), from the "
          "registry's index, the words and the mapping sets:")
    for key, value in sorted(reached.items()):
        print(f"  {key}: {value}")
    print("  by evidence:", dict(sorted(evidence.items())))
    if links_table:
        print("\n| trial | kind | name | links (vocabulary id relation evidence) |")
        print("|---|---|---|---|")
        for nct, kind, name, links in listed:
            shown = "; ".join(f"{i} {r} {e}" for _, i, r, e in links) or "-"
            print(f"| {nct} | {kind} | {name} | {shown} |")
    if chains:
        print("\n| trial | intervention | rule | MeSH | ChEBI |\n|---|---|---|---|---|")
        print("\n".join(drug_chains[:chains]))
        print("\n| trial | condition | rule | MeSH | MONDO |\n|---|---|---|---|---|")
        print("\n".join(disease_chains[:chains]))


def grounded_links(record: dict) -> list[tuple[str, str, list[tuple[str, str, str, str]]]]:
    """Each stated condition's and drug or biological intervention's links as the mapping
    writes them: (kind, name, [(vocabulary, id, relation, evidence)])."""
    triples = map_record(record).triples
    names = {s: o.lexical for s, p, o in triples if p == SDO.name}
    kinds = {s: o for s, p, o in triples if p == KG.interventionType}
    evidence = {s: o.rsplit("#", 1)[-1].removesuffix("Evidence") for s, p, o in triples
                if p == KG.evidence}
    found: dict[str, list[tuple[str, str, str, str]]] = {}
    for s, p, o in triples:
        if p in (SKOS.exactMatch, SKOS.broadMatch, KG.hasComponent) and ("/condition/" in s or
                                                                         "/intervention/" in s):
            curie = iri_curie(o) or o
            how = evidence.get(f"{s}/mapping/{curie.replace(':', '-')}", "")
            found.setdefault(s, []).append((curie.partition(":")[0], curie,
                                            p.rsplit("#", 1)[-1].rsplit("/", 1)[-1], how))
    rows = []
    for _, p, o in triples:
        if p == SDO.healthCondition and "/condition/" in o:
            rows.append(("condition", names.get(o, ""), sorted(found.get(o, []))))
        if p == SDO.studySubject and kinds.get(o) in DRUG_KINDS and not PLACEBO.search(
                names.get(o, "")):
            rows.append(("drug", names.get(o, ""), sorted(found.get(o, []))))
    return rows


def _group_rules(record: dict) -> Counter:
    """The rule that linked each results group of a record (as the mapping decides it)."""
    from kg.mapping.arms import map_arms

    nct = record["protocolSection"]["identificationModule"]["nctId"]
    ctx = MappingContext(base="https://w3id.org/ctkg/id/", nct_id=nct)
    list(map_arms(record, ctx))
    found = arms_of_groups(ctx, record)
    counted: Counter = Counter()
    for group in record_groups(record):
        key = (group.get("title") or "", group.get("description") or "")
        if key in found:
            counted[found[key][1]] += 1
    return counted


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=0, help="chains to print for a hand check")
    parser.add_argument("--partial", action="store_true", help="also the v2-partial records")
    parser.add_argument("--links", action="store_true",
                        help="every condition's and drug's links, for a hand check")
    arguments = parser.parse_args()
    main(arguments.chains, arguments.partial, arguments.links)
