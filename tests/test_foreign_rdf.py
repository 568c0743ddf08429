"""RDF that kg did not write is read right or refused, never loaded wrong: a file whose lines
only look like kg's (sorted by ``sort``, written again by rdflib), Turtle with blank nodes, and
one trial in two inputs of a load. Each store is compared with what Oxigraph's own parse of the
file holds, and each verdict with pySHACL's."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

from kg.serialize.ntriples import NTRIPLES_CLOSING, NTRIPLES_OPENING
from kg.serialize.trial_cut import trial_graphs
from kg.validation.validate import validate_graph
from tests.conftest import EXAMPLE, FIXTURES, export_all, kg, load_json, shared_records

SDO = rdflib.Namespace("https://schema.org/")
KG = rdflib.Namespace("https://w3id.org/ctkg/vocab#")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The shared complete records and the bundled ones in every format kg writes."""
    inputs = [str(p) for p in shared_records("v2")] + \
        [str(EXAMPLE), *sorted(str(p) for p in FIXTURES.glob("*.json"))]
    return export_all(inputs, tmp_path_factory.mktemp("exported"))


def stored(store) -> dict[str, set[str]]:
    """The store's trial graphs (the description graph aside) as sets of N-Triples lines."""
    graphs: dict[str, set[str]] = {}
    for quad in ox.Store.read_only(str(store)).quads_for_pattern(None, None, None, None):
        if quad.graph_name.value.endswith("/dataset"):
            continue
        graphs.setdefault(quad.graph_name.value, set()).add(str(quad.triple))
    return graphs


def oxigraphs_own(path, fmt: ox.RdfFormat) -> dict[str, set[str]]:
    """The trials of a file as Oxigraph parses it whole, cut by the one rule."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
    return {block.graph: {str(q.triple) for q in ox.parse(block.data, ox.RdfFormat.N_QUADS)}
            for block in trial_graphs(store)}


def verdicts(path) -> Counter:
    done = kg("validate", str(path), "-w", "2", "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return Counter((r["nct_id"], r["shape"], r["path"], r["severity"], r["message"])
                   for r in json.loads(done.stdout))


def test_a_sorted_copy_of_an_export_loads_and_validates_as_the_export(tmp_path, exported):
    lines = exported["nt"].read_bytes().splitlines(keepends=True)
    sorted_copy = tmp_path / "sorted.nt"
    sorted_copy.write_bytes(b"".join(sorted(set(lines))))  # LC_ALL=C sort -u
    loaded = kg("load", str(sorted_copy), "--store", str(tmp_path / "sorted"))
    assert loaded.returncode == 0, loaded.stderr
    assert stored(tmp_path / "sorted") == oxigraphs_own(sorted_copy, ox.RdfFormat.N_TRIPLES)
    assert verdicts(sorted_copy) == verdicts(exported["nq"])


def test_rdflibs_ntriples_of_an_export_loads_and_validates_as_the_export(tmp_path, exported):
    graph = rdflib.Graph().parse(exported["nt"], format="nt")
    rewritten = tmp_path / "rdflib.nt"
    graph.serialize(rewritten, format="nt", encoding="utf-8")
    loaded = kg("load", str(rewritten), "--store", str(tmp_path / "rdflib"))
    assert loaded.returncode == 0, loaded.stderr
    assert stored(tmp_path / "rdflib") == oxigraphs_own(rewritten, ox.RdfFormat.N_TRIPLES)
    assert verdicts(rewritten) == verdicts(exported["nq"])


@pytest.fixture(scope="module")
def with_blank_nodes(tmp_path_factory):
    """Another tool's Turtle of the bundled records and the six smallest shared ones (pySHACL,
    the referee, takes minutes over the largest): each trial's eligibility, sites and officials
    as blank nodes, and a negative minimum age in some of them (a real violation)."""
    inputs = [str(EXAMPLE), *sorted(str(p) for p in FIXTURES.glob("*.json")),
              *map(str, sorted(shared_records("v2"), key=lambda p: p.stat().st_size)[:6])]
    folder = tmp_path_factory.mktemp("blank")
    kg("export", *inputs, "-f", "ntriples", "-o", str(folder / "all.nt"), "-q", "--no-validate",
       check=True)
    graph = rdflib.Graph().parse(folder / "all.nt", format="nt")
    kinds = [SDO.PeopleAudience, KG.Site, KG.Official]
    renamed = {node: rdflib.BNode() for kind in kinds for node in graph.subjects(rdflib.RDF.type,
                                                                                 kind)}
    assert len(renamed) > 20
    other = rdflib.Graph()
    for s, p, o in graph:
        other.add((renamed.get(s, s), p, renamed.get(o, o)))
    for number, node in enumerate(n for n in renamed.values()
                                  if (n, rdflib.RDF.type, SDO.PeopleAudience) in other):
        if number % 3 == 0:
            other.set((node, SDO.requiredMinAge, rdflib.Literal(-5)))
    path = folder / "other.ttl"
    other.serialize(path, format="turtle")
    return path


def test_turtle_with_blank_nodes_loads_every_triple_oxigraph_reads(tmp_path, with_blank_nodes):
    loaded = kg("load", str(with_blank_nodes), "--store", str(tmp_path / "store"))
    assert loaded.returncode == 0, loaded.stderr
    expected = oxigraphs_own(with_blank_nodes, ox.RdfFormat.TURTLE)
    in_file = sum(1 for _ in ox.parse(path=str(with_blank_nodes), format=ox.RdfFormat.TURTLE))
    found = stored(tmp_path / "store")
    assert {g: len(t) for g, t in found.items()} == {g: len(t) for g, t in expected.items()}
    assert sum(map(len, found.values())) >= in_file  # a node two trials share is in both


def test_turtle_with_blank_nodes_gets_pyshacls_verdicts(with_blank_nodes):
    found = verdicts(with_blank_nodes)
    assert any(shape == "EligibilityShape" and severity == "Violation"
               for _, shape, _, severity, _ in found), "the planted ages are found"
    whole = rdflib.Graph().parse(with_blank_nodes, format="turtle")
    store = ox.Store()
    store.bulk_load(path=str(with_blank_nodes), format=ox.RdfFormat.TURTLE,
                    to_graph=ox.DefaultGraph())
    reference = Counter()
    for block in trial_graphs(store):
        sub = rdflib.Graph().parse(data=block.data.decode().replace(f" <{block.graph}> .", " ."),
                                   format="nt")
        for r in validate_graph(sub, block.graph.rsplit("/", 1)[-1], "pyshacl"):
            reference[(r.nct_id, r.shape, r.path, r.severity, r.message)] += 1
    assert len(whole) > 0 and found == reference


@pytest.mark.parametrize("suffix", ["nt", "ttl", "jsonld", "nq"])
def test_a_trial_in_two_inputs_of_one_load_is_one_trial_the_last(tmp_path, suffix):
    record = load_json(EXAMPLE)
    paths = []
    for number, title in enumerate(("The first title", "The last title")):
        record["protocolSection"]["identificationModule"]["briefTitle"] = title
        source = tmp_path / f"{number}.json"
        source.write_text(json.dumps(record))
        paths.append(tmp_path / f"{number}.{suffix}")
        kg("export", str(source), "-o", str(paths[-1]), "--no-validate", "-q", check=True)
    loaded = kg("load", *map(str, paths), "--store", str(tmp_path / "store"))
    assert loaded.returncode == 0, loaded.stderr
    assert "NCT00698191: appears again in the inputs; the last copy is kept" in loaded.stderr
    (graph,) = stored(tmp_path / "store").values()
    trial_name = "<https://w3id.org/ctkg/id/trial/NCT00698191> <https://schema.org/name> "
    assert {line for line in graph if line.startswith(trial_name)} == \
        {trial_name + '"The last title"'}


def test_a_file_with_kgs_opening_but_not_its_closing_line_is_read_by_oxigraph(tmp_path, exported):
    text = exported["nt"].read_bytes()
    assert text.startswith(NTRIPLES_OPENING.encode()) and text.endswith(NTRIPLES_CLOSING.encode())
    cut = tmp_path / "cut.nt"
    lines = text.splitlines(keepends=True)
    cut.write_bytes(b"".join(lines[:1] + sorted(lines[1:-1]) + [b"# appended by hand\n"]))
    kg("load", str(cut), "--store", str(tmp_path / "cut"), check=True)
    assert stored(tmp_path / "cut") == oxigraphs_own(cut, ox.RdfFormat.N_TRIPLES)


def test_a_prefix_declared_again_between_turtle_records_holds_for_the_records_after_it(
        tmp_path):
    two = tmp_path / "two.ttl"
    kg("export", str(EXAMPLE), *sorted(str(p) for p in FIXTURES.glob("*.json")), "-f",
       "turtle", "-o", str(two), "-q", "--no-validate", check=True)
    text = two.read_text()
    at = text.index("\n# NCT", text.index("\n# NCT") + 1)
    redeclared = tmp_path / "redeclared.ttl"
    redeclared.write_text(text[:at] + "\n@prefix schema: <http://schema.org/> .\n" + text[at:])
    kg("load", str(redeclared), "--store", str(tmp_path / "store"), check=True)
    found = set().union(*stored(tmp_path / "store").values())
    assert any("<http://schema.org/" in line for line in found)
    assert found == {str(t) for t in ox.parse(path=str(redeclared), format=ox.RdfFormat.TURTLE)}


def test_an_escape_oxigraph_refuses_is_one_line_and_exit_2_in_validate_as_in_load(tmp_path):
    nquads = tmp_path / "one.nq"
    kg("export", str(EXAMPLE), "-f", "nquads", "-o", str(nquads), "-q", "--no-validate",
       check=True)
    bad = tmp_path / "bad.nq"
    bad.write_text(nquads.read_text().replace('"Mesenchymal', '"\\U00110000Mesenchymal', 1))
    for command in (["validate", str(bad), "-w", "2"],
                    ["load", str(bad), "--store", str(tmp_path / "store")]):
        done = kg(*command)
        assert done.returncode == 2, (command, done.stderr)
        assert "U00110000" in done.stderr and "internal error" not in done.stderr


def test_a_text_past_what_a_store_takes_is_refused_alike_by_validate_and_load(tmp_path):
    """Oxigraph's parser holds a term in 16 MiB at most: such a trial is refused by kg load
    (named, the other trials loaded, exit 2) and by kg validate alike, never an internal
    error."""
    export = tmp_path / "two.nt"
    kg("export", str(EXAMPLE), str(FIXTURES / "NCT09900001.json"), "-f", "ntriples", "-o",
       str(export), "-q", "--no-validate", check=True)
    lines = export.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "NCT00698191" in line.split(" ")[0]
              and "schema.org/description>" in line)
    subject, predicate, _ = lines[at].split(" ", 2)
    lines[at] = f'{subject} {predicate} "{"x" * (17 << 20)}" .'
    big = tmp_path / "big.nt"
    big.write_text("\n".join(lines), encoding="utf-8")
    loaded = kg("load", str(big), "--store", str(tmp_path / "store"))
    assert loaded.returncode == 2, loaded.stderr
    assert "not loaded: NCT00698191: a line of" in loaded.stderr
    assert "past the 16 MiB a store can take" in loaded.stderr and "loaded 1 trials" in \
        loaded.stderr
    checked = kg("validate", str(big), "-w", "1")
    assert checked.returncode == 2, checked.stderr
    assert "trial NCT00698191: a line of" in checked.stderr
    assert "past the 16 MiB a store can take" in checked.stderr
    assert "internal error" not in loaded.stderr + checked.stderr
