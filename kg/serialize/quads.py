"""N-Quads read a named graph at a time, as the bytes of its lines.

Loading and validating an export must not cost more than the store's own parser: building a
Python object per term costs more than Oxigraph's whole bulk load. So a line in the form
``kg export`` writes (``<s> <p> object <g> .``, single spaces) is split by its last term alone
and kept as bytes; any other line (comments, blank nodes, other spacing, a triple without a
graph) is parsed by Oxigraph and written back in that form. The lines of one graph must be
together, as ``kg export`` writes them: a graph that comes back later in the file is an error,
since loading its second part would replace the first.

Lines in the fast form are not parsed further here; a line holding a form kg's readers do not
check (an escape, a bracket, a stray "%") is parsed by Oxigraph before a trial is validated or
loaded (:func:`kg.rdf.refused_line`), so that both refuse what the store would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

import pyoxigraph as ox

from kg.errors import KgError
from kg.rdf import XSD_STRING, Literal
from kg.serialize.compiled import LINES, compiled
from kg.vocab import KG_NS

_MODIFIED = f"{KG_NS}lastUpdatePostDate".encode()


class QuadsError(KgError):
    """A file that is not N-Quads as kg reads them."""


class GraphBlock(NamedTuple):
    """One named graph of a file: its IRI and its lines (each ending in `` <graph> .\n``)."""

    graph: str
    data: bytes
    # (offset, size) where data is those bytes of the file as they stand, so that a worker
    # process can read them itself rather than be sent them; None where data was put together
    # (lines rewritten, or a graph's lines taken from apart).
    span: tuple[int, int] | None = None

    @property
    def triples(self) -> int:
        return self.data.count(b"\n")

    def modified(self) -> str | None:
        """The trial's ``kg:lastUpdatePostDate``, as the loader records it."""
        prefix = b"\n<" + self.graph.encode() + b"> <" + _MODIFIED + b'> "'
        start = (b"\n" + self.data).find(prefix)
        if start < 0:
            return None
        start += len(prefix) - 1
        end = self.data.find(b'"', start)
        return self.data[start:end].decode() if end > 0 else None


def graph_of(line: bytes) -> bytes | None:
    """The graph IRI of a line in the form kg writes, or None for any other line."""
    if not line.endswith(b"> .\n"):
        return None
    start = line.rfind(b" <", 0, len(line) - 4)
    if start < 0:
        return None
    graph = line[start + 2:-4]
    if b" " in graph or b"<" in graph or b">" in graph or b"\t" in graph:
        return None
    head = line[:start]
    subject_end = head.find(b"> <")
    if not head.startswith(b"<") or subject_end < 0:
        return None
    predicate_end = head.find(b"> ", subject_end + 3)
    if predicate_end < 0:
        return None
    obj = head[predicate_end + 2:]
    if obj.startswith(b"<"):
        return graph if obj.endswith(b">") and b" " not in obj else None
    if obj.startswith(b'"') and (obj.endswith((b'"', b">")) or b'"@' in obj):
        return graph
    return None


def _parsed(line: bytes, path: Path, number: int) -> tuple[bytes, bytes] | None:
    """A line outside the fast form: (graph, the line rewritten), or None for a line without a
    named graph (a comment, a blank line, a triple of the default graph)."""
    try:
        quads = list(ox.parse(line, ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        first = str(exc).strip().split("\n", 1)[0][:300]
        raise QuadsError(f"{path}: line {number}: not N-Quads ({first})") from exc
    if not quads or not isinstance(quads[0].graph_name, ox.NamedNode):
        return None
    quad = quads[0]
    return quad.graph_name.value.encode(), f"{quad} .\n".encode()


CHUNK = 16 * 1024 * 1024


def _pieces(stream: BinaryIO) -> Iterator[tuple[bytes, int, int, int]]:
    """A file's whole lines, a chunk at a time, as (buffer, start, limit, offset): the lines
    are ``buffer[start:limit]``, and ``offset`` is where ``buffer`` would start in the file (a
    last line without its line end gets one). A line cut by a chunk's end is put together from
    its two pieces, the only bytes copied."""
    rest = b""  # the start of a line cut by the last chunk's end
    at = 0  # where the next chunk starts in the file
    while chunk := stream.read(CHUNK):
        start = 0
        if rest:
            start = chunk.find(b"\n") + 1
            if not start:
                rest += chunk
                at += len(chunk)
                continue
            yield rest + chunk[:start], 0, len(rest) + start, at - len(rest)
        limit = chunk.rfind(b"\n") + 1
        if limit > start:
            yield chunk, start, limit, at
        rest = chunk[max(limit, start):]
        at += len(chunk)
    if rest:
        yield rest + b"\n", 0, len(rest) + 1, at - len(rest)


def _runs(buffer: bytes, start: int, limit: int, path: Path, reading: Reading
          ) -> Iterator[tuple[bytes, memoryview | bytes, int]]:
    """(graph, lines, where) runs of ``buffer``'s whole lines from ``start`` to ``limit``,
    ``where`` being the lines' start in the buffer, or -1 for a line rewritten: a line in kg's
    form starts a run of that graph's lines, which :func:`run_end` finds in one pass over the
    bytes (a view of them is given, not a copy); any other line goes on its own, once.
    ``reading.lines`` counts the lines as they go."""
    view = memoryview(buffer)
    position = start
    while position < limit:
        end = buffer.index(b"\n", position) + 1
        graph = graph_of(buffer[position:end])
        if graph is not None:
            stop, lines = run_end(buffer, position, b" <" + graph + b"> .\n", limit)
            if stop < end:
                stop, lines = end, 1
            yield graph, view[position:stop], position
            position = stop
            reading.lines += lines
        else:
            reading.lines += 1
            for graph, line in _one_by_one([buffer[position:end - 1]], path, reading.lines,
                                           reading):
                yield graph, line, -1
            position = end


def reference_run_end(buffer: bytes, start: int, suffix: bytes, limit: int
                      ) -> tuple[int, int]:
    """Where the lines from ``start`` (up to ``limit``) that a reader may take whole as one
    graph's stop, and how many there are: each starts with ``<``, ends with ``suffix``
    (`` <graph> .\n``) and has two spaces before it (four terms: ``<s> <p> <graph> .`` ends the
    same way but has no graph). The reference, in Python, for the C ``run_end`` the tests hold
    to it."""
    position, lines = start, 0
    while (end := buffer.find(b"\n", position, limit) + 1) > 0:
        line = buffer[position:end]
        if not (line.startswith(b"<") and len(line) > len(suffix) and line.endswith(suffix)
                and line.count(b" ", 0, len(line) - len(suffix)) >= 2):
            break
        position, lines = end, lines + 1
    return position, lines


def _one_by_one(lines: list[bytes], path: Path, first_line: int,
                reading: Reading) -> Iterator[tuple[bytes, bytes]]:
    for number, line in enumerate(lines, first_line):
        line += b"\n"
        graph = graph_of(line)
        if graph is not None:
            yield graph, line
            continue
        reading.other_lines += 1
        parsed = _parsed(line, path, number)
        if parsed is not None:
            yield parsed


class Reading:
    """What reading a file found besides its graphs: how many lines were not in kg's form
    (rewritten, or without a named graph and left out)."""

    def __init__(self) -> None:
        self.other_lines = 0
        self.lines = 0  # read so far


def graph_blocks(path: Path, reading: Reading | None = None,
                 data: bool = True) -> Iterator[GraphBlock]:
    """Each named graph of an N-Quads file, in file order, one in memory at a time. ``data``
    False: a graph whose lines are a stretch of the file comes with its span and no data (a
    reader that passes it on, to be read where it is used, spares copying it)."""
    reading = reading or Reading()
    done: set[bytes] = set()
    current: bytes | None = None
    parts: list[memoryview | bytes] = []
    span: list[int] | None = None  # the current graph's [offset, size] in the file
    size = path.stat().st_size  # a span past it holds the line end given a last line

    def block() -> GraphBlock:
        spanned = tuple(span) if span is not None and span[0] + span[1] <= size else None
        return GraphBlock(current.decode(), b"" if spanned and not data else b"".join(parts),
                          spanned)

    with path.open("rb") as stream:
        for buffer, start, limit, offset in _pieces(stream):
            for graph, run, where in _runs(buffer, start, limit, path, reading):
                if graph != current:
                    if current is not None:
                        done.add(current)
                        yield block()
                    if graph in done:
                        raise QuadsError(
                            f"{path}: the quads of graph <{graph.decode()}> are not together; "
                            "sort the file by graph (kg export writes them so)")
                    current, parts = graph, []
                    span = [offset + where, 0] if where >= 0 else None
                if span is not None and where >= 0 and offset + where == span[0] + span[1]:
                    span[1] += len(run)
                else:
                    span = None
                parts.append(run)
    if current is not None:
        yield block()


def as_ntriples(graph: str, nquads: bytes) -> bytes:
    """One graph's N-Quads lines without their graph term (for a store that takes a graph's
    triples, as the Graph Store Protocol does)."""
    cut = len(graph.encode()) + 6  # " <", the graph, "> .\n"
    return b"".join(line[:-cut] + b" .\n" for line in nquads.splitlines(keepends=True))


# What an IRIREF may hold (N-Triples: no spaces, controls, <>"{}|^` or backslash; kg's writer
# escapes those as \u, which the strict reader leaves to Oxigraph), with a scheme.
# An IRI in kg's form: IRIREF's characters, less what RFC 3987 (and Oxigraph) refuses too (DEL,
# brackets outside an IPv6 host, a "%" without two hex digits, a second "#"); any other IRI is
# read by Oxigraph.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[^\x00-\x20\x7f<>\"{}|^`\\\[\]%#]|%[0-9A-Fa-f]{2})*"
                  r"(?:#(?:[^\x00-\x20\x7f<>\"{}|^`\\\[\]%#]|%[0-9A-Fa-f]{2})*)?")
_LANGUAGE = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf\"'\\]))")
_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"  # as Oxigraph reads it
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
          "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ECHAR[match.group(3)]


def _beyond_unicode(match: re.Match) -> bool:
    """An escape of no character: past U+10FFFF, or a surrogate (half of one)."""
    code = match.group(1) or match.group(2)
    return bool(code) and (int(code, 16) > 0x10FFFF or 0xD800 <= int(code, 16) <= 0xDFFF)


def _tail(tail: str) -> tuple[str, str | None] | None:
    """The datatype and language of what follows a literal's closing quote (nothing,
    ``^^<datatype>`` or ``@language``), or None where that is not N-Triples."""
    if not tail:
        return XSD_STRING, None
    if tail[:3] == "^^<" and tail[-1:] == ">" and _IRI.fullmatch(tail, 3, len(tail) - 1):
        return tail[3:-1], None
    if tail[:1] == "@" and _LANGUAGE.fullmatch(tail, 1):
        return _LANGSTRING, tail[1:]
    return None


def _lexical(raw: str) -> str | None:
    """The lexical form of a literal's quoted text, escapes undone, or None where it holds a
    quote not escaped or an escape N-Triples does not have."""
    if "\\" in raw:
        if '"' in _ESCAPE.sub("", raw) or "\\" in _ESCAPE.sub("", raw):
            return None
        if any(_beyond_unicode(m) for m in _ESCAPE.finditer(raw)):
            return None  # \U past U+10FFFF, \uD83D: no character
        return _ESCAPE.sub(_unescape, raw)
    return None if '"' in raw else raw


def reference_triples(text: str) -> list[tuple] | None:
    """The triples of N-Quads or N-Triples lines in the form kg writes (single spaces, IRIs
    without escapes, no blank nodes), in kg's term encoding, or None as soon as a line is not
    in that form (Oxigraph then reads the text). The reference, in Python, for
    :func:`strict_triples`, which does the same in C (``c/ntriples.c``: ``split``), about three
    times as fast; the tests hold the two to the same answer. Each IRI is checked for what an IRIREF may
    hold, each literal for unescaped quotes, and its escapes are undone. IRIs and language tags
    hold no quote, so a literal ends at the line's last one; the split costs a fraction of a
    parser's objects a term. A trial repeats its graph, predicates, subjects and datatypes on
    many lines, so each distinct token is checked once (``known``, ``tails``)."""
    found = []
    append = found.append
    iri = _IRI.fullmatch
    known: dict[str, str] = {}  # "<iri>" as written -> the IRI, for tokens already checked
    tails: dict[str, tuple[str, str | None] | None] = {}

    def checked(token: str) -> str | None:
        if token[:1] == "<" and token[-1:] == ">" and iri(token, 1, len(token) - 1):
            known[token] = token[1:-1]
            return token[1:-1]
        return None

    for line in text.split("\n"):
        if not line:
            continue
        if not line.endswith(" ."):
            return None
        subject, _, rest = line[:-2].partition(" ")
        predicate, _, rest = rest.partition(" ")
        s = known.get(subject) or checked(subject)
        p = known.get(predicate) or checked(predicate)
        if s is None or p is None:
            return None
        if rest[:1] == '"':
            close = rest.rindex('"')
            if not close:
                return None
            tail, _, graph = rest[close + 1:].partition(" ")
            kind = tails[tail] if tail in tails else tails.setdefault(tail, _tail(tail))
            lexical = _lexical(rest[1:close])
            if kind is None or lexical is None:
                return None
            value = Literal(lexical, *kind)
        else:
            obj, _, graph = rest.partition(" ")
            value = known.get(obj) or checked(obj)
            if value is None:
                return None
        if graph and not (graph in known or checked(graph)):
            return None
        append((s, p, value))
    return found


run_end = compiled(LINES, "run_end") or reference_run_end
_split = compiled(LINES, "split")


def strict_triples(text: str) -> list[tuple] | None:
    """:func:`reference_triples`, in C where it is built: splitting lines into terms is most
    of what validating an export costs."""
    return reference_triples(text) if _split is None else _split(text, Literal)
