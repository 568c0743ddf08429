"""The one place kg's compiled modules are imported: the N-Triples writer and the readers of
kg's own files (``kg.serialize._lines``, sources in ``kg/serialize/c/``) and the validation
engine's index (``kg.validation.engine._index``).

Each is held by the tests to a Python reference that gives the same answer. A source tree used
without ``pip install`` has no compiled modules: :func:`compiled` then gives None and each
caller uses its reference (or, for the Turtle and JSON-LD readers, Oxigraph), slower.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

LINES = "kg.serialize._lines"
INDEX = "kg.validation.engine._index"


@cache
def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:  # not built: the callers' Python references stand in
        return None


def compiled(module: str, name: str) -> Callable | None:
    """The compiled function ``name`` of ``module``, or None where the module is not built."""
    found = _module(module)
    return None if found is None else getattr(found, name)
