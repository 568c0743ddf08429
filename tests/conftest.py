"""Shared fixtures: the bundled reference trial, and the real records beside the clone.

Real registry records live in ``../shared/`` (never copied into the project); tests that need
them skip with the reason when it is absent. ``KG_SHARED_DIR`` points elsewhere if needed.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import rdflib
from click.testing import CliRunner, Result

from kg.cli import main
from kg.mapping import map_record
from kg.rdf import to_rdflib

# Fixtures of the helper modules, for every test module that names them.
pytest_plugins = ["tests.registry_server"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "NCT00698191.json"
# The project's own record with results (every results module, odd fields).
FIXTURES = ROOT / "tests" / "fixtures"
RESULTS_FIXTURE = FIXTURES / "NCT09900001.json"
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found at {path} (set KG_SHARED_DIR)")
    return path


def shared_records(*folders: str) -> list[Path]:
    """The single-study JSON files of the given shared folders."""
    return sorted(p for folder in folders for p in shared_path("records", folder).glob("NCT*.json"))


def kg(*args: str, in_process: bool = False, check: bool = False, input: str | None = None,
       env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess | Result:
    """Run the ``kg`` command: as a real process (``python -m kg.cli``; ``check`` raises on a
    non-zero exit), or, ``in_process``, through click's runner in this process, which is much
    faster where a test reads only the exit code and the output."""
    if in_process:
        return CliRunner().invoke(main, list(args), input=input, env=env)
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, check=check, input=input, timeout=timeout,
                          env={**os.environ, **(env or {})})


def load_json(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


@pytest.fixture(scope="session")
def reference_record() -> dict:
    return load_json(EXAMPLE)


@pytest.fixture(scope="session")
def reference_graph(reference_record) -> rdflib.Graph:
    return to_rdflib(map_record(reference_record).triples)


def write_copies(directory: Path, count: int) -> list[dict]:
    """``count`` variants of the bundled reference record, each with its own NCT id."""
    directory.mkdir()
    base = load_json(EXAMPLE)
    records = []
    for number in range(count):
        record = copy.deepcopy(base)
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT{10000000 + number:08d}"
        record["protocolSection"]["conditionsModule"]["keywords"] = [f'odd "\\ {number}\n\t€']
        (directory / f"NCT{10000000 + number:08d}.json").write_text(json.dumps(record))
        records.append(record)
    return records


FORMATS = {"ntriples": "nt", "turtle": "ttl", "jsonld": "jsonld", "nquads": "nq"}


def export_all(inputs: list[str], folder) -> dict[str, object]:
    """The inputs exported once in each format, as files of many trials."""
    files = {}
    for fmt, suffix in FORMATS.items():
        path = folder / f"all.{suffix}"
        kg("export", *inputs, "-f", fmt, "-o", str(path), "-q", "--no-validate", check=True)
        files[suffix] = path
    return files


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The reference trial and the fixtures' records (results, odd fields): runs everywhere."""
    inputs = [str(EXAMPLE), *sorted(str(p) for p in FIXTURES.glob("*.json"))]
    return export_all(inputs, tmp_path_factory.mktemp("bundled"))
