"""An installed copy works like the source tree: the wheel carries the shapes and the ontology,
validates a broken record to exit 1, and exports the reference trial to the same bytes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT, load_json


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the project installed from its wheel (not editable)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = work.glob("ctkg-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    return venv


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "kg"), *args], capture_output=True, text=True,
                          cwd=cwd)


def test_the_wheel_ships_shapes_and_ontology(installed):
    files = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "from importlib import resources; import kg.mapping;"
         "print(sorted(f.name for p in ('kg.shapes', 'kg.ontologies') "
         "for f in resources.files(p).iterdir() if not f.name.startswith('_')));"
         "print(kg.mapping.__file__)"],
        capture_output=True, text=True, check=True, cwd="/").stdout.splitlines()
    assert "results.ttl" in files[0] and "study.ttl" in files[0] and "kg.ttl" in files[0]
    assert "site-packages" in files[1]


def test_an_installed_copy_reports_a_broken_record(installed, tmp_path):
    record = load_json(EXAMPLE)
    record["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    record["protocolSection"]["statusModule"]["overallStatus"] = "RECRUTING"
    (tmp_path / "broken.json").write_text(json.dumps(record))
    result = run(installed, "validate", "broken.json", "-w", "1", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "violation: NCT00698191: StudyShape" in result.stdout
    assert "kg:phase" in result.stdout and "schema:status" in result.stdout


def test_an_installed_copy_exports_the_same_bytes_as_the_source_tree(installed, tmp_path):
    run(installed, "export", str(EXAMPLE), "-f", "turtle", "-o", "installed.ttl", "-q",
        cwd=tmp_path)
    subprocess.run([sys.executable, "-m", "kg.cli", "export", str(EXAMPLE), "-f", "turtle",
                    "-o", str(tmp_path / "source.ttl"), "-q"], check=True, cwd=ROOT)
    assert (tmp_path / "installed.ttl").read_bytes() == (tmp_path / "source.ttl").read_bytes()


def test_missing_shapes_stop_validation_with_exit_2(tmp_path):
    empty = tmp_path / "no-shapes"
    empty.mkdir()
    result = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(EXAMPLE)],
                            capture_output=True, text=True, env={"KG_SHAPES_DIR": str(empty),
                                                                 "PATH": "/usr/bin:/bin"},
                            cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"kg validate: no SHACL shapes (*.ttl) found in {empty}"]
