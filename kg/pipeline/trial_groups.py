"""The store's trials counted once: each group of registrations that share a trial id (the
member-state records of one EudraCT trial) or state each other's (an EU CTR record's NCT
number) is one ``kg:RegisteredTrial`` in the store's description graph (``<base>dataset``,
what the loader derives), remade from the store's registrations after every load (a group can
only be seen across records, so no record's mapping makes it). Only registry ids make
groups: a sponsor's protocol code never does.

A group is named by the least of its trial ids (``registered-trial/eudract/2012-003632-23``),
so the same registrations always make the same node; a registration joining a group can
change its name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.pipeline.load_description import description_graph
from kg.serialize.ntriples import iri
from kg.stores import Store
from kg.vocab import KG, KG_NS

PAGE = 10_000  # rows a query (Virtuoso's cap on a result)
INSERT = 2_000  # triples an update
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def groups(links: Iterable[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """(registrations, trial ids) of each group the links ``(registration, trial id)`` make,
    both sorted, in the order of their least trial id."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for registration, trial_id in links:
        a, b = find("r " + registration), find("i " + trial_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for node in list(parent):
        members.setdefault(find(node), []).append(node)
    found = []
    for nodes in members.values():
        registrations = sorted(n[2:] for n in nodes if n.startswith("r "))
        ids = sorted(n[2:] for n in nodes if n.startswith("i "))
        if registrations:
            found.append((registrations, ids))
    return sorted(found, key=lambda group: group[1][0] if group[1] else group[0][0])


def group_lines(base: str, found: list[tuple[list[str], list[str]]]) -> Iterator[str]:
    """Each group as N-Triples lines."""
    prefix = f"{base}trial-id/"
    for registrations, ids in found:
        name = ids[0][len(prefix):] if ids and ids[0].startswith(prefix) else \
            registrations[0].rsplit("/", 1)[-1]
        node = iri(f"{base}registered-trial/{name}")
        yield f"{node} <{RDF_TYPE}> {iri(KG.RegisteredTrial)} .\n"
        for registration in registrations:
            yield f"{node} {iri(KG.registration)} {iri(registration)} .\n"
        for trial_id in ids:
            yield f"{node} {iri(KG.trialId)} {iri(trial_id)} .\n"


def regroup(store: Store, base: str) -> int:
    """Remake the trial groups from the store's registrations; the number of trials."""
    desc = iri(description_graph(base))
    links: list[tuple[str, str]] = []
    offset = 0
    while True:
        rows = store.query(
            f"SELECT ?r ?i WHERE {{ GRAPH ?g {{ ?r <{KG_NS}registeredAs>|<{KG_NS}sameTrialAs> ?i }} "
            f"}} ORDER BY ?r ?i LIMIT {PAGE} OFFSET {offset}").rows
        links.extend((row[0]["value"], row[1]["value"]) for row in rows if row[0] and row[1])
        if len(rows) < PAGE:
            break
        offset += PAGE
    found = groups(links)
    store.update(f"DELETE {{ GRAPH {desc} {{ ?t ?p ?o }} }} WHERE {{ GRAPH {desc} {{ "
                 f"?t a {iri(KG.RegisteredTrial)} ; ?p ?o }} }}")
    lines = list(group_lines(base, found))
    for start in range(0, len(lines), INSERT):
        store.update(f"INSERT DATA {{ GRAPH {desc} {{ {''.join(lines[start:start + INSERT])} }} }}")
    return len(found)
