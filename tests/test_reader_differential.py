"""kg's own readers refuse what Oxigraph refuses: kg's exports (N-Quads, N-Triples, Turtle) of
a real record, each mutated one byte at a time (seeded, so the same mutants every run), read by
``kg validate``'s route and by Oxigraph's parser. Oxigraph is the referee: a mutant it refuses
must not pass kg validate (nor, by the same checks, kg load)."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.validation.runs import ValidationInputError, run_validation
from tests.conftest import EXAMPLE, kg

# Bytes that make or break RDF terms: escapes, IRI delimiters and the characters RFC 3987
# refuses, quotes, language tags, datatypes, and bytes that are not UTF-8.
ALPHABET = [b"\\", b"u", b"U", b"D", b"8", b"[", b"]", b"%", b"<", b">", b'"', b" ", b"#",
            b":", b"@", b"^", b"{", b"|", b"`", b"\x00", b"\x7f", b"\xff", b"\xc3", b"-",
            b"\\uD83D", b"\\U00110000", b"%G"]
FORMATS = {"nq": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}
MUTANTS = 150


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("exports")
    found = {}
    for suffix, name in (("nq", "nquads"), ("nt", "ntriples"), ("ttl", "turtle")):
        path = out / f"trial.{suffix}"
        kg("export", str(EXAMPLE), "-f", name, "-o", str(path), "-q", "--no-validate",
           check=True)
        found[suffix] = path.read_bytes()
    return found


def mutant(data: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    at = rng.randrange(len(data))
    piece = rng.choice(ALPHABET)
    return data[:at] + piece + data[at + (rng.random() < 0.5):]


def oxigraph_refuses(data: bytes, fmt: ox.RdfFormat) -> bool:
    try:
        for _ in ox.parse(data, format=fmt):
            pass
    except (SyntaxError, ValueError):
        return True
    return False


def kg_refuses(path: Path) -> bool:
    try:
        run_validation([str(path)], "https://w3id.org/ctkg/id/")
    except ValidationInputError:
        return True
    return False


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_every_mutant_oxigraph_refuses_kg_validate_refuses_too(exports, suffix, tmp_path):
    path = tmp_path / f"mutant.{suffix}"
    passed, refused = [], 0
    for seed in range(MUTANTS):
        data = mutant(exports[suffix], seed)
        if not oxigraph_refuses(data, FORMATS[suffix]):
            continue
        refused += 1
        path.write_bytes(data)
        if not kg_refuses(path):
            passed.append(seed)
    assert refused > MUTANTS // 10, "the mutants must break the files often enough to judge"
    assert passed == [], f"mutants Oxigraph refuses that kg validate passed: seeds {passed}"
