"""Every registry at once: a mixed directory against ClinicalTrials.gov's records alone.

Usage: python -m benchmarks.registries [COPIES]    (default 40)

The mixed directory holds COPIES copies of every record of ``../shared/registries`` (CTIS of
both generations and the search overview, EU CTR as ctrdata's JSON and as the register's
pages, ISRCTN as the API's XML and ctrdata's JSON, DRKS), each copy given its own registry
id so that none is skipped as a repeat, and the WHO ICTRP export of the tests. The
ClinicalTrials.gov directory holds as many records of the honest corpus
(``benchmarks/corpus.py``: complete records like the registry's). Each is exported by the
command a user runs (``kg export DIR -o all.nq -w 2 -q``, validating), three times in turn,
and the best of each is kept; the table gives records a second and the ratio the issue asks
to be at least one half.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from benchmarks.bulk import write_corpus
from benchmarks.corpus import machine
from benchmarks.load import kg

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "registries"
# The id of each kind of record, and how a copy's id is made from it (a number in 0..99).
_IDS = (
    (re.compile(rb'"ctNumber": "(\d{4})-5(\d{5})-(\d{2})-(\d{2})"'),
     lambda m, n: b'"ctNumber": "%s-5%05d-%s-%s"' % (m[1], (int(m[2]) + n) % 100000, m[3], m[4])),
    (re.compile(rb'"a2_eudract_number": "(\d{4})-(\d{6})-(\d{2})"'),
     lambda m, n: b'"a2_eudract_number": "%s-%06d-%s"' % (m[1], (int(m[2]) + n) % 500000, m[3])),
    (re.compile(rb'(<td class="(?:third|cellLighterGrey)"[^>]*>)(\d{4})-(\d{6})-(\d{2})(</td>)'),
     lambda m, n: b"%s%s-%06d-%s%s" % (m[1], m[2], (int(m[3]) + n) % 500000, m[4], m[5])),
    (re.compile(rb'"isrctn": "(\d{8})"'),
     lambda m, n: b'"isrctn": "%08d"' % ((int(m[1]) + n) % 10**8)),
    (re.compile(rb'(<isrctn[^>]*>)(\d{8})(</isrctn>)'),
     lambda m, n: b"%s%08d%s" % (m[1], (int(m[2]) + n) % 10**8, m[3])),
    (re.compile(rb'"drksId": "DRKS(\d{8})"'),
     lambda m, n: b'"drksId": "DRKS%08d"' % ((int(m[1]) + n) % 10**8)),
)


def mixed(copies: int, directory: Path) -> int:
    """Write the mixed directory; the number of records in it."""
    from tests.test_registries import WHO_EXPORT

    directory.mkdir()
    sources = [p for p in sorted(SHARED.rglob("*")) if p.is_file() and p.suffix in
               (".json", ".xml", ".html") and "Schema" not in p.name]
    records = 0
    for copy in range(copies):
        for number, path in enumerate(sources):
            data = path.read_bytes()
            for pattern, change in _IDS:
                shift = copy * 1000 + number
                data = pattern.sub(lambda m, c=change, k=shift: c(m, k), data)
            (directory / f"{copy:03d}-{number:03d}-{path.name}").write_bytes(data)
            records += 3 if path.name.count("ISRCTN") == 3 else 1
        export = WHO_EXPORT
        for old, new in (("NCT01818492", f"NCT{copy:08d}"), ("2012-003632-23", f"2012-{copy:06d}-23"),
                         ("022896", f"{copy:06d}"), ("2000029308", f"20{copy:08d}")):
            export = export.replace(old, new)
        (directory / f"{copy:03d}-who.xml").write_text(export)
        records += 4
    return records


def best(directory: Path, out: Path) -> float:
    return min(kg("export", str(directory), "-o", str(out), "-w", "2", "-q")[0] for _ in range(3))


def main(copies: int) -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        size = mixed(copies, tmp / "mixed")
        ctgov = write_corpus(size, tmp / "ctgov")
        rows = []
        for label, directory in (("ClinicalTrials.gov (honest corpus)", ctgov),
                                 ("all registries, mixed", tmp / "mixed")):
            seconds = best(directory, tmp / "all.nq")
            rows.append((label, size / seconds))
        print(f"\n{size} records each; kg export -w 2, validating, best of 3\n")
        print("| corpus | records/s |\n| --- | ---: |")
        for label, rate in rows:
            print(f"| {label} | {rate:,.0f} |")
        print(f"\nmixed / ClinicalTrials.gov: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
