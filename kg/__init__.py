"""kg: ClinicalTrials.gov registry records as a validated schema.org knowledge graph."""

__version__ = "0.1.0"
