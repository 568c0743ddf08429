"""Publications: DOIs and citations found in registry references."""
