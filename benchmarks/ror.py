"""Offline ROR matching scored on ROR's own gold sets, and timed.

Reads ``../shared/ror/`` (ROR's partial registry in the dump's v2 format and the evaluation sets
from ror-community/ror-api's test suite; its README says how to count on a partial registry):

- recall over gold entries whose ids are all in the partial registry;
- precision over every id returned for every entry (an id that is not the gold one is a false
  positive, whether the right one is in the partial registry or not);
- accuracy: entries whose returned set equals the gold set, over the entries whose ids are all
  in the partial registry (those with no gold id included: nothing must be returned).

The affiliation sets are scored with ``match_affiliation`` (every organisation a text names),
the names set with ``match_name`` (the one organisation a name stands for), as kg uses it.
Errors are broken down by the rule that chose the wrong id. Then the rate of ``match_name`` on
distinct names, the index's build and load times, and its memory, projected to the whole
registry (about 120,000 records) from the partial one.

Last, the shared records' organisations (sponsors, collaborators, officials' affiliations) and
sites (facility, city, country) matched with ``match_name`` as ``kg export --ror-dump`` does: the
share matched, by rule, and a sample of 20 for checking by hand (10 matched, 10 not).

    python benchmarks/ror.py [--shared ../shared] [--errors 20]
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.links.ror import RorDumpLinker, place_of
from kg.links.ror_dump import load_index
from kg.links.ror_match import Matcher, Refusal
from kg.mapping import map_record
from kg.rdf import RDF_TYPE, Literal
from kg.sources.files import read_inputs
from kg.vocab import KG, SDO

ROOT = Path(__file__).resolve().parent.parent
SETS = [("Crossref affiliations", "dataset_affiliations_crossref_2024_02_19.json", "ror_ids"),
        ("Springer affiliations", "dataset_affiliations_springer_2023_10_31.json", "ror_ids"),
        ("names", "dataset_names.json", "ror-id")]
API_TARGETS = {"accuracy": 0.8857, "precision": 0.9154, "recall": 0.9200}
FULL_REGISTRY = 120_000


def score(matcher: Matcher, entries: list[tuple[str, set[str]]], known: set[str], single: bool,
          show: int) -> dict:
    tp = returned = gold_total = recall_tp = correct = judged = 0
    wrong = collections.Counter()
    right = collections.Counter()
    examples = []
    for text, gold in entries:
        if single:
            found = matcher.match_name(text)
            found = [] if isinstance(found, Refusal) else [found]
        else:
            found = matcher.match_affiliation(text)
            found = [] if isinstance(found, Refusal) else found
        ids = {f.ror for f in found}
        returned += len(ids)
        tp += len(ids & gold)
        for f in found:
            (right if f.ror in gold else wrong)[f.rule.split(">")[0]] += 1
            if f.ror not in gold and len(examples) < show:
                examples.append(f"  {f.rule:18} {text[:70]!r} -> {f.name} ({f.ror})")
        if gold <= known:
            judged += 1
            gold_total += len(gold)
            recall_tp += len(ids & gold)
            correct += ids == gold
    return {"precision": tp / returned if returned else 1.0,
            "recall": recall_tp / gold_total if gold_total else 0.0,
            "accuracy": correct / judged if judged else 0.0,
            "returned": returned, "wrong": sum(wrong.values()), "judged": judged,
            "by_rule": {r: (right[r], wrong[r]) for r in sorted(set(right) | set(wrong))},
            "examples": examples}


def _rss_mb() -> float:
    """This process's resident memory now (not its peak)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--errors", type=int, default=0, help="Wrong matches to show per set.")
    args = parser.parse_args()
    ror = Path(args.shared) / "ror"
    dump = ror / "ror-partial-v2.json.zip"
    if not dump.exists():
        sys.exit(f"no {dump}: this benchmark needs the shared ROR data")
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}")

    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()  # built in a child, so this process measures the load
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from kg.links.ror_dump import load_index; "
                        "load_index(Path(sys.argv[1]), Path(sys.argv[2]))", str(dump), cache],
                       check=True)
        built = time.perf_counter() - started
        rss_before = _rss_mb()
        started = time.perf_counter()
        index, from_cache = load_index(dump, Path(cache))
        loaded = time.perf_counter() - started
        index_mb = _rss_mb() - rss_before
        assert from_cache
    records = len(index.ids)
    print(f"index: {records:,} records, {len(index.names):,} names, {len(index.acronyms):,} "
          f"acronyms; built in {built:.1f} s (a process of its own), read from the cache in "
          f"{loaded:.2f} s; {index_mb:,.0f} MB in memory, projected for {FULL_REGISTRY:,} "
          f"records: {index_mb * FULL_REGISTRY / records:,.0f} MB")

    known = set(index.ids)
    print("\n| set | entries judged | returned | precision | recall | accuracy | "
          "wrong by rule (right/wrong) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, name, key in SETS:
        raw = json.loads((ror / name).read_text(encoding="utf-8"))
        entries = [(e["affiliation"], set(e[key] if isinstance(e[key], list) else [e[key]]))
                   for e in raw]
        result = score(Matcher(index), entries, known, single=key == "ror-id", show=args.errors)
        rules = ", ".join(f"{r} {ok}/{bad}" for r, (ok, bad) in result["by_rule"].items())
        print(f"| {label} | {result['judged']:,} | {result['returned']:,} | "
              f"{result['precision']:.3f} | {result['recall']:.3f} | {result['accuracy']:.3f} | "
              f"{rules} |")
        for line in result["examples"]:
            print(line)
    print("| ROR API's targets (full registry) | | | {precision:.3f} | {recall:.3f} | "
          "{accuracy:.3f} | |".format(**API_TARGETS))

    names = sorted({e["affiliation"] for _, n, _ in SETS
                    for e in json.loads((ror / n).read_text(encoding="utf-8"))})
    timed = Matcher(index)
    started = time.perf_counter()
    for text in names:
        timed.match_name(text)
    elapsed = time.perf_counter() - started
    print(f"\nmatch_name: {len(names):,} distinct names in {elapsed:.2f} s = "
          f"{len(names) / elapsed:,.0f} names/s (one core, first sight of each name)")
    print(f"this process's peak RSS: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    shared_records(Path(args.shared) / "records" / "v2", dump)


def shared_records(records: Path, dump: Path) -> None:
    """The shared records' organisations and sites matched, and a sample to check by hand."""
    with tempfile.TemporaryDirectory() as cache:
        linker = RorDumpLinker(dump, Path(cache), sites=True)
    seen: dict[tuple, tuple[str, object]] = {}  # (kind, name, city, country) -> (kind, match)
    for item in read_inputs([str(records)]):
        if item.record is None:
            continue
        facts: dict[str, dict[str, list]] = {}
        for s, p, o in map_record(item.record).triples:
            facts.setdefault(s, {}).setdefault(p, []).append(o)
        for node, props in facts.items():
            kinds = props.get(RDF_TYPE, ())
            kind = "site" if KG.Site in kinds else "organisation" if SDO.Organization in kinds \
                else None
            names = [o.lexical for o in props.get(SDO.name, ()) if isinstance(o, Literal)]
            if kind and names:
                city, country = place_of(node, facts)
                key = (kind, names[0], city, country)
                if key not in seen:
                    seen[key] = linker.match(names[0], city, country)[0]
    print(f"\nshared records ({records}): distinct names matched, by rule")
    for kind in ("organisation", "site"):
        found = [(k, m) for k, m in seen.items() if k[0] == kind]
        matched = [m for _, m in found if m is not None]
        rules = collections.Counter(m.matching_type for m in matched)
        print(f"  {kind}s: {len(matched)} of {len(found)} matched "
              f"({len(matched) / max(len(found), 1):.0%}): "
              + ", ".join(f"{r} {n}" for r, n in sorted(rules.items())))
    print("\nsample to check by hand (10 matched and 10 not, spread evenly over the sorted "
          "names):")
    ordered = sorted(seen.items(), key=lambda km: (km[0][0], km[0][1:]))
    matched = [km for km in ordered if km[1] is not None]
    missed = [km for km in ordered if km[1] is None]
    sample = matched[::max(len(matched) // 10, 1)][:10] + missed[::max(len(missed) // 10, 1)][:10]
    for (kind, name, city, country), match in sample:
        where = f" ({city}, {country})" if city or country else ""
        got = f"{match.name} {match.ror} [{match.matching_type}]" if match else "no match"
        print(f"  {kind:12} {name[:60]}{where} -> {got}")


if __name__ == "__main__":
    main()
