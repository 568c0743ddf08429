"""SHACL validation: every trial checked against the shapes in ``shapes/``.

- :mod:`kg.validation.validate`: one trial's triples checked by an engine (kg's native one by
  default, pyshacl-turbo, or pySHACL, the reference), its results, the report graph;
- :mod:`kg.validation.runs`: ``kg validate`` over files and records, streamed, in workers;
- :mod:`kg.validation.engine`: kg's native engine, the shapes compiled to Python.

What users of the library call is here (formerly ``kg.validate``).
"""

from kg.validation.validate import (
    DEFAULT_ENGINE,
    ENGINES,
    ShapesMissing,
    ValidationResult,
    report_graph,
    shapes_graph,
    summary_counts,
    trial_subgraphs,
    validate_graph,
    validate_mapped,
    validate_nquads,
    validate_triples,
)

__all__ = ["DEFAULT_ENGINE", "ENGINES", "ShapesMissing", "ValidationResult", "report_graph",
           "shapes_graph", "summary_counts", "trial_subgraphs", "validate_graph",
           "validate_mapped", "validate_nquads", "validate_triples"]
