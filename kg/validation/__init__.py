"""SHACL validation: every trial checked against the shapes in ``shapes/``.

- :mod:`kg.validation.validate`: one trial (lines, triples or a graph) checked by an engine of
  the table in :mod:`kg.validation.engines` (kg's native one by default, pyshacl-turbo, or
  pySHACL, the reference); :mod:`kg.validation.results`: the results and the report graph;
- :mod:`kg.validation.runs`: ``kg validate`` over files and records, streamed, in workers;
- :mod:`kg.validation.engine`: kg's native engine, the shapes compiled to Python.

What users of the library call is here (formerly ``kg.validate``).
"""

from kg.validation.engines import DEFAULT_ENGINE, ENGINES
from kg.validation.results import (
    ShapesMissing,
    ValidationResult,
    report_graph,
    shapes_graph,
    summary_counts,
)
from kg.validation.validate import (
    trial_subgraphs,
    validate_graph,
    validate_mapped,
    validate_nquads,
    validate_triples,
)

__all__ = ["DEFAULT_ENGINE", "ENGINES", "ShapesMissing", "ValidationResult", "report_graph",
           "shapes_graph", "summary_counts", "trial_subgraphs", "validate_graph",
           "validate_mapped", "validate_nquads", "validate_triples"]
