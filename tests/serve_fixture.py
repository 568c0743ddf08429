"""A real ``kg serve`` over a store of the shared records, the reference trial and the results
fixture, on a free loopback port, for the server and browser tests."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import EXAMPLE, ROOT, shared_path
from tests.virtuoso import free_port

FIXTURE = ROOT / "tests" / "fixtures" / "NCT09900001.json"


@dataclass
class Server:
    url: str
    store: Path
    nquads: Path  # the same inputs exported, to compare with


def start(store: Path, *args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                                "--port", str(port), *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/", timeout=2).ok:
                return process, url
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited: {process.stderr.read()}")
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("kg serve did not answer within 60 s")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    directory = tmp_path_factory.mktemp("serve")
    inputs = [str(shared_path("records", "v2")), str(shared_path("records", "v2-partial")),
              str(EXAMPLE), str(FIXTURE), *map(str, sorted(shared_path("registries", "euctr").glob(
                  "2014-002606-20-*.json")))]  # one EudraCT trial, seven member states
    store, nquads = directory / "store", directory / "all.nq"
    for args in (["load", *inputs, "--store", str(store), "-q"],
                 ["export", *inputs, "-o", str(nquads), "--no-validate", "-q"]):
        subprocess.run([sys.executable, "-m", "kg.cli", *args], check=True)
    process, url = start(store, "--timeout", "5")
    yield Server(url, store, nquads)
    process.terminate()
    process.wait(20)
