"""Read kg's KGX files back with the kgx library, offline, and validate them; prints the
graph's node and edge counts and kgx's errors as JSON.

Run by tests/test_kgx.py with the Python of the kgx environment the Makefile makes (kgx and its
dependencies apart from kg's own). kgx fetches the Biolink Model, its predicate mappings and a
JSON-LD context from the web when imported; here they come from the biolink-model package
instead, so nothing is fetched.

Usage: python tests/kgx_read.py DIR tsv|jsonl [OUT]

With OUT, the files are also transformed to JSON Lines (``OUT/jsonl``) and those back to the
first kind (``OUT/back``), for a round trip to compare.
"""
import importlib.metadata
import json
import sys
from pathlib import Path

import bmt.toolkit

SCHEMA = str(importlib.metadata.distribution("biolink-model").locate_file(
    "biolink_model/schema/biolink_model.yaml"))
_init = bmt.toolkit.Toolkit.__init__


def offline_init(self, schema=SCHEMA, predicate_map=None, **kwargs):
    """bmt's Toolkit on the packaged model, without predicate mappings (kgx reads no
    mapped predicates here)."""
    _init(self, schema, predicate_map or {"predicate mappings": []}, **kwargs)


bmt.toolkit.Toolkit.__init__ = offline_init

import kgx.config  # noqa: E402

PREFIXES = json.loads(Path(importlib.metadata.distribution("biolink-model").locate_file(
    "biolink_model/prefixmaps/biolink-model-prefix-map.json")).read_text())
kgx.config.get_config()
for name in kgx.config.config["jsonld-context"]:  # what kgx would fetch: Biolink's own prefixes
    kgx.config.jsonld_context_map[name] = dict(PREFIXES)

from kgx.transformer import Transformer  # noqa: E402
from kgx.validator import Validator  # noqa: E402

directory, kind = Path(sys.argv[1]), sys.argv[2]
transformer = Transformer()
transformer.transform(input_args={"filename": [str(directory / f"nodes.{kind}"),
                                               str(directory / f"edges.{kind}")],
                                  "format": kind})
graph = transformer.store.graph
validator = Validator()
validator.validate(graph)
errors = validator.get_errors()
if len(sys.argv) > 3:
    out = Path(sys.argv[3])
    sources = [str(directory / f"nodes.{kind}"), str(directory / f"edges.{kind}")]
    for step, target_kind in enumerate(("jsonl", kind)):
        target = out / ("jsonl" if step == 0 else "back")
        target.mkdir(parents=True, exist_ok=True)
        Transformer().transform(
            input_args={"filename": sources, "format": kind if step == 0 else "jsonl"},
            output_args={"filename": str(target / "graph"), "format": target_kind})
        sources = [str(target / f"graph_nodes.{target_kind}"),
                   str(target / f"graph_edges.{target_kind}")]
print(json.dumps({"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
                  "errors": errors}, default=str))
