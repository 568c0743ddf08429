"""Example SPARQL queries, one per file; installed as ``kg.queries`` (kg serve lists them on its
query page)."""
