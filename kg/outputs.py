"""Output files that are never left half-written: written to a temporary name, then renamed.

A run that dies leaves either the previous complete file or nothing, never a truncated file
that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_text(path: Path | str) -> Iterator[TextIO]:
    """A text stream for ``path`` (``-`` is standard output), renamed into place on success."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process umask (mkstemp creates files 0600; finished outputs get the usual mode)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
