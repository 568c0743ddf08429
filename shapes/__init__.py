"""The SHACL shapes, one file per kind of node; installed as ``kg.shapes`` and read with
importlib.resources (see kg.validate.shapes_graph)."""
