"""The SHACL shapes, one file per kind of node; installed as ``kg.shapes`` and read with
importlib.resources (see kg.validation.validate.shapes_graph)."""
