"""Every RDF file kg reads, a trial at a time: N-Quads, N-Triples, Turtle and JSON-LD.

``kg validate`` and ``kg load`` take files in any of these formats. Parsing a whole file into
rdflib first costs a Python object per term and memory that grows with the file (1,000 trials of
N-Triples took 31 s and 967 MB); reading kg's own writing a trial at a time keeps memory to the
largest trial and the work to what N-Quads cost:

- **N-Quads**: each named graph (:func:`kg.serialize.quads.graph_blocks`).
- **N-Triples written by kg**: a record's triples are written together, sorted by subject, so a
  trial is the run of lines whose subject is the trial's IRI or under it
  (``.../trial/NCT01234567/arm/1``), with the lines of the record's other nodes (its
  organisations, MeSH descriptors, articles) around it: those before the run, back to where the
  subjects stop rising, are the trial's, and so are those after it up to where they fall again
  (the next record's). Found by the trial path's bytes and a bisection over the lines; only the
  few lines between two trials are looked at one by one.
- **Turtle written by kg**: a ``# NCT01234567`` comment opens each record; each record is read
  in C (``c/turtle.c``) with the file's prefixes, or by Oxigraph where it is not in the
  form kg writes.
- **JSON-LD written by kg**: one node object a line in ``@graph``, in the N-Triples' order; each
  record's lines are expanded without a JSON-LD processor (:mod:`kg.serialize.jsonld_terms`)
  with the file's context, or by Oxigraph where they are not of the plain kind kg writes.
- **Other N-Triples and Turtle** (from another tool, with prefixes, blank nodes and lists):
  parsed by Oxigraph into an in-memory store (Rust's memory, not Python objects), then cut into
  trials by the one rule of :mod:`kg.serialize.trial_cut`. JSON-LD and TriG that kg did
  not write are left to the caller (rdflib, remote contexts refused; TriG by its graphs).

Each trial comes as a :class:`TrialText`, cheap to hand to a worker process (which, where the
trial's bytes are a stretch of the file, reads them itself), and gives a
:class:`~kg.serialize.quads.GraphBlock`: the trial's IRI and its triples as N-Quads lines in that
graph, the bytes ``kg export -f nquads`` writes for the record where the file is kg's writing, so
a store loaded from either holds the same graphs.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import orjson
import pyoxigraph as ox

from kg.serialize.compiled import LINES, compiled
from kg.serialize.jsonld_terms import jsonld_lines
from kg.serialize.ntriples import NTRIPLES_CLOSING, NTRIPLES_OPENING
from kg.serialize.quads import CHUNK, GraphBlock, QuadsError, graph_blocks
from kg.serialize.rdf_formats import rdf_format_of
from kg.serialize.trial_cut import trial_graphs
from kg.serialize.turtle import TURTLE_CLOSING, TURTLE_OPENING
from kg.trial_ids import KEY

_NT_OPENING, _NT_CLOSING = NTRIPLES_OPENING.encode(), NTRIPLES_CLOSING.encode()
_TTL_OPENING, _TTL_CLOSING = TURTLE_OPENING.encode(), TURTLE_CLOSING.encode()
_turtle = compiled(LINES, "turtle")  # None where not built: Oxigraph reads it all

# A line whose subject is a trial or a node under it; group 1 is the trial's IRI.
_TRIAL_LINE = re.compile(rb"^<([^<>\s]*/trial/" + KEY.encode() + rb")[/>]", re.M)
_RECORD_COMMENT = re.compile(rb"^# (" + KEY.encode() + rb")\n", re.M)
_DIRECTIVE = re.compile(rb"^[ \t]*(?:@prefix|@base|prefix|base)[ \t][^\n]*", re.M | re.I)
_PROBE = 1 << 16


class TrialText(NamedTuple):
    """One trial of a file as read, before any parse: N-Quads or kg's N-Triples lines, or a
    record of kg's Turtle (after the file's prefixes) or JSON-LD (with its context), which
    :meth:`block` and :meth:`lines` parse. Cheap to hand to a worker process, which parses it
    there and, where the trial's bytes are a stretch of the file, reads them itself."""

    label: str  # the NCT id, for reports
    kind: str  # "nquads", "ntriples", "turtle" or "jsonld"
    data: bytes  # head, then the file's bytes at span (or put together, span None)
    where: str  # the file, for errors
    span: tuple[int, int] | None = None  # (offset, size) of the file's bytes in data
    head: bytes = b""  # what data holds before them (Turtle's prefixes)

    def sendable(self) -> TrialText:
        """What to hand a worker process: without the file's bytes where the worker can read
        them itself (cheaper than sending them through a pipe)."""
        return self._replace(data=b"") if self.span is not None else self

    def text(self) -> bytes:
        """data, read back from the file where it was left out for sending."""
        if self.data or self.span is None:
            return self.data
        return self.head + _read_span(self.where, self.span)

    def block(self) -> GraphBlock:
        """The trial as its graph's N-Quads lines, the bytes ``kg export -f nquads`` writes
        for the record where the file is kg's writing."""
        data = self.text()
        if self.kind == "nquads":
            graph = data[data.rfind(b" <", 0, len(data) - 4) + 2:-4]
            return GraphBlock(graph.decode(), data, self.span)
        if self.kind == "ntriples":
            return _with_graph(_trial_iri(data, f"{self.where}: {self.label}"), data)
        if self.kind == "turtle" and (block := _kg_turtle(data, self.label)) is not None:
            return block
        if self.kind == "jsonld" and (block := _kg_jsonld(data)) is not None:
            return block
        fmt = ox.RdfFormat.TURTLE if self.kind == "turtle" else ox.RdfFormat.JSON_LD
        where = f"{self.where}: {self.label}"
        ntriples = _to_ntriples(data, fmt, where)
        return _with_graph(_trial_iri(ntriples, where), ntriples)

    def lines(self) -> bytes:
        """The trial's triples as N-Triples or N-Quads lines, which is all validation needs:
        :meth:`block` without naming the graph where that costs a pass over the lines."""
        if self.kind == "ntriples":
            return self.text()
        if self.kind == "turtle" and _turtle is not None:
            found = _turtle(self.text(), b" .\n")
            if found is not None:
                return found
        if self.kind == "jsonld" and (found := jsonld_lines(self.text(), b" .\n")) is not None:
            return found
        return self.block().data


def _read_span(path: str, span: tuple[int, int]) -> bytes:
    """The file's bytes at ``span`` (opened for each read: a few microseconds against a
    trial's millisecond, and no descriptor left open in a long-lived process)."""
    offset, size = span
    descriptor = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(descriptor, size, offset)
    finally:
        os.close(descriptor)
    if len(data) != size:
        raise QuadsError(f"{path}: the file changed while it was read (bytes {offset}-"
                         f"{offset + size} are gone)")
    return data


def trial_blocks(path: Path) -> Iterator[GraphBlock] | None:
    """Each trial of an RDF file, in file order, one in memory at a time where the file is
    kg's writing (the module's docstring says how each format is read); None for a JSON-LD or
    TriG file kg did not write, which the caller reads its own way (rdflib, with remote
    contexts refused; TriG by graph)."""
    texts = trial_texts(path)
    return None if texts is None else (text.block() for text in texts)


def trial_texts(path: Path) -> Iterator[TrialText] | None:
    """:func:`trial_blocks` before the parse of kg's Turtle and JSON-LD records, for callers
    that parse in worker processes."""
    fmt = rdf_format_of(path)
    name = fmt.name if fmt else ""
    with path.open("rb") as stream:
        head = stream.read(_PROBE)
    if name == "nquads":
        blocks = graph_blocks(path, data=False)  # a trial's lines are read where used
    elif name == "nt" and _marked(path, head, _NT_OPENING, _NT_CLOSING):
        return _ntriples_texts(path)
    elif name == "turtle" and _marked(path, head, _TTL_OPENING, _TTL_CLOSING):
        return _turtle_texts(path)
    elif name == "json-ld" and head.startswith(b'{\n"@context": ') and \
            b'\n"@graph": [\n' in head:
        return _jsonld_texts(path)
    elif name in ("nt", "turtle"):
        blocks = _any_rdf_blocks(path, fmt.oxigraph)
    else:
        return None
    return (TrialText(block.graph.rsplit("/", 1)[-1], "nquads", block.data, str(path),
                      block.span) for block in blocks)


def _marked(path: Path, head: bytes, opening: bytes, closing: bytes) -> bool:
    """Whether the file opens and ends with kg's marker lines (its writer's header and footer):
    the proof that it is kg's own writing. A file another tool wrote has neither; one sorted
    has both at its start; one cut short has no closing line."""
    size = path.stat().st_size
    if not head.startswith(opening) or size < len(opening) + len(closing):
        return False
    return _read_span(str(path), (size - len(closing), len(closing))) == closing


def _with_graph(trial: bytes, ntriples: bytes) -> GraphBlock:
    """N-Triples lines (each ending `` .``) as N-Quads lines in the trial's graph."""
    return GraphBlock(trial.decode(), ntriples.replace(b" .\n", b" <" + trial + b"> .\n"))


# -- N-Triples, and JSON-LD's node lines -------------------------------------------------------

class LineForm(NamedTuple):
    """How a line of kg's writing names its subject: N-Triples' ``<iri> …``, or a JSON-LD node
    line's ``{"@id":"iri",…`` (where ``subject`` expands a compact IRI, so that subjects sort
    as their IRIs, as kg writes them)."""

    trial_line: re.Pattern  # a line about a trial or a node under it; group 1: the trial
    opening: bytes  # what comes before a subject
    closers: tuple[bytes, bytes]  # what may follow a trial's IRI in a subject of its run
    subject: Callable[[bytes], bytes | None]  # a line's subject; None for no subject


def _nt_subject(line: bytes) -> bytes:
    return line[:line.find(b" ")]


NTRIPLES = LineForm(_TRIAL_LINE, b"<", (b">", b"/"), _nt_subject)


def _run_end(buffer: bytes, start: int, trial: bytes, form: LineForm, limit: int) -> int:
    """Where the run of lines about ``trial`` (its IRI or under it) that starts at ``start``
    ends, the buffer's whole lines ending at ``limit``: a bisection over line starts, the run
    being together (as kg writes a record sorted)."""
    prefix = form.opening + trial

    def about(position: int) -> bool:
        return buffer.startswith(prefix, position) and \
            buffer[position + len(prefix):position + len(prefix) + 1] in form.closers

    inside = start  # the start of a line in the run
    outside = limit  # the start of a line not in it, or the end
    while True:
        following = buffer.index(b"\n", inside) + 1
        if following >= outside:
            return following
        newline = buffer.rfind(b"\n", inside, (inside + outside) // 2)
        middle = newline + 1 if newline >= 0 else following
        if middle <= inside:
            middle = following
        if about(middle):
            inside = middle
        else:
            outside = middle


def _split_gap(gap: bytes, last_subject: bytes, form: LineForm) -> int:
    """Where the lines between two trials' runs stop being the first record's: at the first line
    whose subject sorts before the line above it (a record's lines rise; the next record's start
    low again). Lines without a subject (comments, blank lines) go with whichever side they are
    on."""
    offset = 0
    previous = last_subject
    for line in gap.split(b"\n")[:-1]:
        subject = form.subject(line) if line and not line.startswith(b"#") else None
        if subject is not None:
            if subject < previous:
                return offset
            previous = subject
        offset += len(line) + 1
    return len(gap)


def _ntriples_texts(path: Path) -> Iterator[TrialText]:
    """kg's N-Triples between its marker lines a trial at a time, each left to be read from its
    place in the file by whoever parses it."""
    end = path.stat().st_size - len(_NT_CLOSING)
    for trial, _, span in _line_records(_chunks(path, len(_NT_OPENING), end), str(path),
                                        offset=len(_NT_OPENING)):
        yield TrialText(trial.rsplit(b"/", 1)[-1].decode(), "ntriples", b"", str(path), span)


def _chunks(path: Path, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """A file's bytes from ``start`` to ``end`` (its end), a chunk at a time (cut anywhere:
    the reader keeps a cut line)."""
    with path.open("rb") as stream:
        stream.seek(start)
        left = (end - start) if end is not None else None
        while (chunk := stream.read(CHUNK if left is None else min(CHUNK, left))):
            yield chunk
            if left is not None:
                left -= len(chunk)


def _trial_line(buffer: bytes, position: int, form: LineForm = NTRIPLES) -> re.Match | None:
    """The first line from ``position`` (a line's start) whose subject is a trial or a node
    under it: found by the trial path's bytes, then matched at its line's start (a search
    for the pattern itself tries every line)."""
    while (at := buffer.find(b"/trial/", position)) >= 0:
        found = form.trial_line.match(buffer, buffer.rfind(b"\n", 0, at) + 1)
        if found is not None and buffer.rfind(b"/trial/", 0, found.end(1)) == at:
            return found
        position = at + 1
    return None


def _line_records(chunks: Iterator[bytes], where: str, form: LineForm = NTRIPLES,
                  offset: int = 0) -> Iterator[tuple[bytes, list[memoryview], tuple[int, int]]]:
    """The records of lines as kg writes them (N-Triples, or JSON-LD's node lines), from
    chunks of bytes cut anywhere: each trial's IRI, its lines (views of the chunks, joined by
    whoever needs them: a worker may read them from the file instead), and where they are in
    the chunks' bytes (the file's, but for a line end given a last line without one). A
    trial's run of lines may go on past a chunk: it is read on first."""
    done: set[bytes] = set()
    current: bytes | None = None  # the trial whose lines are being gathered
    parts: list[memoryview] = []
    size = 0  # of the parts
    last_subject = b""
    buffer = b""
    base = offset  # the offset in the file of buffer's first byte
    start_of_record = offset
    more = True
    while more:
        chunk = next(chunks, None)
        more = chunk is not None
        buffer += chunk or b""
        if not more and buffer and not buffer.endswith(b"\n"):
            buffer += b"\n"
        limit = buffer.rfind(b"\n") + 1  # the whole lines read so far
        view = memoryview(buffer)
        position = 0
        while True:
            found = _trial_line(buffer, position, form)
            if found is None or found.start() >= limit:
                break
            trial, start = found.group(1), found.start()
            end = _run_end(buffer, start, trial, form, limit)
            if end == limit and more:
                break  # the run may go on in the next chunk
            if trial != current:
                if trial in done:
                    raise QuadsError(f"{where}: the lines of trial <{trial.decode()}> are not "
                                     "together, as kg export writes a record")
                split = position
                if current is not None:
                    split += _split_gap(buffer[position:start], last_subject, form)
                    parts.append(view[position:split])
                    done.add(current)
                    yield current, parts, (start_of_record, size + split - position)
                current, parts, size = trial, [view[split:start]], start - split
                start_of_record = base + split
            else:
                parts.append(view[position:start])
                size += start - position
            parts.append(view[start:end])
            size += end - start
            last_subject = form.subject(buffer[buffer.rfind(b"\n", start, end - 1) + 1:end]) \
                or b""
            position = end
        buffer = buffer[position:]
        base += position
    if current is None:
        raise QuadsError(f"{where}: no trial in the file (no subject under …/trial/…)")
    parts.append(memoryview(buffer))
    yield current, parts, (start_of_record, size + len(buffer))


# -- Turtle and JSON-LD written by kg ----------------------------------------------------------

def _to_ntriples(data: bytes, fmt: ox.RdfFormat, where: str) -> bytes:
    """One record's triples, parsed by Oxigraph, as N-Triples lines sorted and without
    duplicates (the order ``kg export`` writes)."""
    try:
        text = ox.serialize(ox.parse(data, format=fmt), format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        first = str(exc).strip().split("\n", 1)[0][:300]
        raise QuadsError(f"{where}: cannot read as RDF: not {fmt.name} ({first})") from exc
    lines = sorted(set(text.splitlines(keepends=True)))
    return b"".join(lines)


def _kg_turtle(data: bytes, nct_id: str) -> GraphBlock | None:
    """A record of kg's Turtle read in C (``c/turtle.c``) where it is in the form kg
    writes and its trial is the record's own subject (``<…/trial/NCT…>`` on a line of its own);
    None otherwise, for Oxigraph to read."""
    end = data.find(f"/trial/{nct_id}>\n    ".encode())
    start = data.rfind(b"\n", 0, end) + 1
    if _turtle is None or end < 0 or data[start:start + 1] != b"<":
        return None
    trial = data[start + 1:end + len(nct_id) + 7]
    lines = _turtle(data, b" <" + trial + b"> .\n")
    return None if lines is None else GraphBlock(trial.decode(), lines)


def _kg_jsonld(data: bytes) -> GraphBlock | None:
    """A record of kg's JSON-LD expanded without a JSON-LD processor where it is of the plain
    kind kg writes (:mod:`kg.serialize.jsonld_terms`) and holds its trial; None otherwise,
    for Oxigraph to read."""
    ntriples = jsonld_lines(data, b" .\n")
    found = None if ntriples is None else _trial_line(ntriples, 0)
    return None if found is None else _with_graph(found.group(1), ntriples)


def _trial_iri(ntriples: bytes, where: str) -> bytes:
    found = _trial_line(ntriples, 0)
    if found is None:
        raise QuadsError(f"{where}: a record without a trial (no subject under …/trial/…)")
    return found.group(1)


def _turtle_texts(path: Path) -> Iterator[TrialText]:
    """A record at a time: the text from one ``# NCT…`` comment to the next (the last up to the
    closing marker line), with the file's prefixes (read from its start, after the opening
    marker line, before the first record, and any declared between records since) in front;
    the record's bytes are left to be read from the file by whoever parses it."""
    prefixes: bytes | None = None
    end = path.stat().st_size - len(_TTL_CLOSING)
    for nct_id, record, offset in _records(path):
        if prefixes is None:
            prefixes = bytes(record)[len(_TTL_OPENING):]
            continue
        size = min(len(record), end - offset)
        yield TrialText(nct_id, "turtle", b"", str(path), (offset, size), prefixes)
        # A directive between records holds for the records after it, as in any Turtle.
        prefixes += b"".join(m.group(0) + b"\n" for m in _DIRECTIVE.finditer(record))


def _record_comment(buffer: bytes, position: int) -> re.Match | None:
    """The first ``# NCT…`` line from ``position``: found by its bytes, then matched."""
    while (at := buffer.find(b"# NCT", position)) >= 0:
        if at == 0 or buffer[at - 1] == 0x0A:
            found = _RECORD_COMMENT.match(buffer, at)
            if found is not None:
                return found
        position = at + 1
    return None


def _records(path: Path) -> Iterator[tuple[str, memoryview, int]]:
    """("", the text before the first record, 0), then (its id, its text, where that starts
    in the file) for each record: the text after one ``# NCT…`` comment line up to the next,
    read a chunk at a time (each text a view of the chunk, not a copy)."""
    nct_id: str | None = None  # None: still before the first record
    buffer = b""
    base = 0  # the offset in the file of buffer's first byte
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer += chunk
            view = memoryview(buffer)
            position = 0
            while (found := _record_comment(buffer, position)) is not None:
                if found.end() == len(buffer) and chunk:
                    break  # a comment line cut by the chunk's end: read on
                yield nct_id or "", view[position:found.start()], base + position
                nct_id, position = found.group(1).decode(), found.end()
            buffer = buffer[position:]
            base += position
            if not chunk:
                yield nct_id or "", memoryview(buffer), base
                return


_JSONLD_NODE = re.compile(rb'\{"@id":"([^"]*)"')
_JSONLD_TRIAL_LINE = re.compile(rb'^\{"@id":"([^"\s]*/trial/' + KEY.encode() + rb')["/]', re.M)
_GRAPH_OPENS = b'\n"@graph": [\n'


def _jsonld_texts(path: Path) -> Iterator[TrialText]:
    """kg's JSON-LD: the context, then one node object a line, read as N-Triples lines are
    (each line's ``@id`` its subject, expanded where compact so that subjects sort as kg
    writes them); each record's lines become a small document with the file's context."""
    chunks = _chunks(path)
    head = b""
    while _GRAPH_OPENS not in head:
        chunk = next(chunks, None)
        if chunk is None:
            raise QuadsError(f"{path}: no @graph in the JSON-LD")
        head += chunk
    at = head.index(_GRAPH_OPENS)
    context = orjson.loads(head[:at].rstrip(b",") + b"}")["@context"]
    opening = orjson.dumps({"@context": context})[:-1] + b',"@graph":['
    prefixes = {f"{name}:".encode(): value.encode() for name, value in context.items()
                if isinstance(value, str) and not name.startswith("@")}

    def subject(line: bytes) -> bytes | None:
        """A node line's @id as the full IRI (``mesh:D008180`` expanded)."""
        found = _JSONLD_NODE.match(line)
        if found is None:
            return None  # the closing "]" and "}"
        name, colon, rest = found.group(1).partition(b":")
        return prefixes.get(name + colon, name + colon) + rest if colon else found.group(1)

    form = LineForm(_JSONLD_TRIAL_LINE, b'{"@id":"', (b'"', b"/"), subject)
    for trial, parts, _ in _line_records(
            itertools.chain([head[at + len(_GRAPH_OPENS):]], chunks), str(path), form):
        nodes = b"".join(parts).rstrip()
        if nodes.endswith(b"\n]\n}"):  # the file's last record, with the document's closing
            nodes = nodes[:-4].rstrip()
        yield TrialText(trial.rsplit(b"/", 1)[-1].decode(), "jsonld",
                        opening + nodes.rstrip(b",") + b"]}", str(path))


# -- any other RDF ------------------------------------------------------------------------------

def _any_rdf_blocks(path: Path, fmt: ox.RdfFormat) -> Iterator[GraphBlock]:
    """A file kg did not write: Oxigraph's parse into an in-memory store, cut into trials by
    the one rule (:mod:`kg.serialize.trial_cut`)."""
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError) as exc:
        first = str(exc).strip().split("\n", 1)[0][:300]
        raise QuadsError(f"{path}: cannot read as RDF: not {fmt.name} ({first})") from exc
    yield from trial_graphs(store)
