"""The kg ontology and the JSON-LD context; installed as ``kg.ontologies``."""
