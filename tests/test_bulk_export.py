"""Bulk export: the same bytes whatever the number of workers, escaping that parses back with
rdflib and Oxigraph, compressed outputs, and sharded runs that resume after a kill."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.mapping import map_record
from kg.pipeline.outputs import shard_files
from kg.rdf import to_rdflib
from tests.conftest import EXAMPLE, kg, load_json, shared_records, write_copies


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[dict]]:
    directory = tmp_path_factory.mktemp("corpus") / "records"
    return directory, write_copies(directory, 300)


@pytest.mark.parametrize("fmt", ["ntriples", "nquads", "turtle", "jsonld", "jsonl"])
def test_one_worker_and_two_workers_write_the_same_bytes(tmp_path, corpus, fmt):
    directory, _ = corpus
    for workers in ("1", "2"):
        kg("export", str(directory), "-f", fmt, "-o", str(tmp_path / workers), "-w", workers,
           "--no-validate", "-q", check=True)
    (one,) = (tmp_path / "1").iterdir()
    assert one.read_bytes() == (tmp_path / "2" / one.name).read_bytes()


def test_bulk_ntriples_parse_back_with_rdflib_and_oxigraph(tmp_path, corpus):
    directory, records = corpus
    kg("export", str(directory), "-f", "ntriples", "-o", str(tmp_path / "all.nt"), "-w", "2",
       "--no-validate", "-q", check=True)
    expected = rdflib.Graph()
    for record in records:
        expected += to_rdflib(map_record(record).triples)
    text = (tmp_path / "all.nt").read_bytes()
    assert isomorphic(rdflib.Graph().parse(data=text, format="nt"), expected)
    oxigraph = {str(q.triple) for q in pyoxigraph.parse(text, pyoxigraph.RdfFormat.N_TRIPLES)}
    assert len(oxigraph) == len(expected)


def test_compressed_output_is_deterministic_and_readable(tmp_path, corpus):
    directory, _ = corpus
    for run in ("a", "b"):
        kg("export", str(directory), "-f", "nquads", "-o", str(tmp_path / run), "--compress", "gz",
           "--no-validate", "-q", check=True)
    (a,) = (tmp_path / "a").iterdir()
    assert a.name == "records.nq.gz"
    assert a.read_bytes() == (tmp_path / "b" / a.name).read_bytes()
    assert gzip.decompress(a.read_bytes()).decode().count("\n") > 300 * 100


def test_killed_sharded_export_resumes_to_the_same_files(tmp_path):
    directory = tmp_path / "records"
    write_copies(directory, 3000)
    args = [str(directory), "-f", "ntriples", "--shard-size", "50", "--compress", "gz",
            "-w", "1", "--no-validate", "-q"]
    kg("export", *args, "-o", str(tmp_path / "whole"), check=True)

    killed = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "export", *args, "-o", str(killed)])
    deadline = time.monotonic() + 60
    while not (killed / "part-00003.nt.gz").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = shard_files(killed)
    assert 3 <= len(interrupted) < 60, "the kill should land mid-run"
    kg("export", *args, "-o", str(killed), check=True)

    whole = shard_files(tmp_path / "whole")
    assert [p.name for p in shard_files(killed)] == [p.name for p in whole]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(shard_files(killed), whole, strict=True))
    assert not list(killed.glob(".*part"))


def test_shared_records_with_a_big_one_export_identically_with_two_workers(tmp_path):
    paths = shared_records("v2")
    for workers in ("1", "2"):
        kg("export", *map(str, paths), "-f", "nquads", "-o", str(tmp_path / f"{workers}.nq"),
           "-w", workers, "--no-validate", "-q", check=True)
    assert (tmp_path / "1.nq").read_bytes() == (tmp_path / "2.nq").read_bytes()


def test_zstd_output_is_deterministic_and_readable(tmp_path, corpus):
    zstandard = pytest.importorskip("zstandard")
    directory, _ = corpus
    for run in ("a", "b"):
        kg("export", str(directory), "-f", "ntriples", "-o", str(tmp_path / run),
           "--compress", "zst", "--no-validate", "-q", check=True)
    (a,) = (tmp_path / "a").iterdir()
    assert a.name == "records.nt.zst"
    assert a.read_bytes() == (tmp_path / "b" / a.name).read_bytes()
    text = zstandard.ZstdDecompressor().stream_reader(a.open("rb")).read().decode()
    assert len(rdflib.Graph().parse(data=text, format="nt")) > 300 * 100


def test_a_record_with_two_thousand_sites_exports(tmp_path):
    record = load_json(EXAMPLE)
    site = record["protocolSection"]["contactsLocationsModule"]["locations"][0]
    record["protocolSection"]["contactsLocationsModule"]["locations"] = [
        dict(site, facility=f"Site {n}") for n in range(2000)]
    (tmp_path / "big.json").write_text(json.dumps(record))
    result = kg("export", str(tmp_path / "big.json"), "-f", "nquads", "-o",
                str(tmp_path / "big.nq"), "--no-validate", check=True)
    assert result.returncode == 0
    assert (tmp_path / "big.nq").read_text().count("<https://w3id.org/ctkg/vocab#site>") == 2000


TRIAL_TYPE = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/MedicalTrial> ."


def shard_trials(directory: Path) -> list[str]:
    """The NCT id of every trial typed in a directory's N-Triples shards, with repeats."""
    return [line.split(" ", 1)[0].rsplit("/", 1)[-1].rstrip(">")
            for path in shard_files(directory) for line in path.read_text().splitlines()
            if line.endswith(TRIAL_TYPE)]


def edit(directory: Path, number: int, title: str) -> None:
    path = directory / f"NCT{10000000 + number:08d}.json"
    record = json.loads(path.read_text())
    record["protocolSection"]["identificationModule"]["briefTitle"] = title
    path.write_text(json.dumps(record))


SHARDED = ["-f", "ntriples", "--shard-size", "3", "-w", "1", "--no-validate", "-q"]


@pytest.mark.parametrize("change", ["edited", "inserted", "removed", "other-format"])
def test_a_sharded_reexport_of_changed_input_refuses_and_changes_nothing(tmp_path, change):
    records = tmp_path / "records"
    write_copies(records, 9)
    out = tmp_path / "out"
    kg("export", str(records), *SHARDED, "-o", str(out), check=True)
    before = {p.name: p.read_bytes() for p in shard_files(out)}
    args = list(SHARDED)
    if change == "edited":
        edit(records, 1, "A title edited since")
    elif change == "inserted":  # a file that sorts between the first and second record
        record = json.loads((records / "NCT10000000.json").read_text())
        record["protocolSection"]["identificationModule"]["nctId"] = "NCT19999999"
        (records / "NCT10000000_new.json").write_text(json.dumps(record))
    elif change == "removed":
        (records / "NCT10000008.json").unlink()
        (records / "NCT10000007.json").unlink()
    else:
        args[1] = "nquads"
    again = kg("export", str(records), *args, "-o", str(out), check=False)
    assert again.returncode == 2, again.stderr
    assert "add --restart" in again.stderr and "Traceback" not in again.stderr
    assert {p.name: p.read_bytes() for p in shard_files(out)} == before
    if change == "edited":
        assert "the same trial with other text" in again.stderr

    restarted = kg("export", str(records), *args, "-o", str(out), "--restart", check=False)
    assert restarted.returncode == 0, restarted.stderr
    kg("export", str(records), *args, "-o", str(tmp_path / "fresh"), check=True)
    fresh = shard_files(tmp_path / "fresh")
    assert [p.name for p in shard_files(out)] == [p.name for p in fresh]
    assert all(a.read_bytes() == b.read_bytes()
               for a, b in zip(shard_files(out), fresh, strict=True))


def test_a_sharded_reexport_with_records_added_at_the_end_holds_every_trial_once(tmp_path):
    records = tmp_path / "records"
    write_copies(records, 7)  # shards of 3, 3 and a short one of 1
    out = tmp_path / "out"
    kg("export", str(records), *SHARDED, "-o", str(out), check=True)
    write_copies(tmp_path / "more", 12)
    for number in (7, 8, 9, 10):
        name = f"NCT{10000000 + number:08d}.json"
        (tmp_path / "more" / name).rename(records / name)
    again = kg("export", str(records), *SHARDED, "-o", str(out), check=False)
    assert again.returncode == 0, again.stderr
    trials = shard_trials(out)
    assert sorted(trials) == [f"NCT{10000000 + n:08d}" for n in range(11)]
    kg("export", str(records), *SHARDED, "-o", str(tmp_path / "fresh"), check=True)
    fresh = shard_files(tmp_path / "fresh")
    assert [p.name for p in shard_files(out)] == [p.name for p in fresh]
    assert all(a.read_bytes() == b.read_bytes()
               for a, b in zip(shard_files(out), fresh, strict=True))
