"""documentSection: the protocol, statistical analysis plan and consent form PDFs posted with
a study, each a ``schema:DigitalDocument`` linked to its file on the registry's document server."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.dates import date_time_minutes
from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, DATE, INTEGER, TEXT, field_triples, module, objects
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, REGISTRY_DOCUMENT_URL, SDO

PATH = "documentSection.largeDocumentModule"

DOCUMENT_FIELDS = (
    ("label", SDO.name, TEXT),
    ("typeAbbrev", KG.documentType, TEXT),
    ("hasProtocol", KG.hasProtocol, BOOLEAN),
    ("hasSap", KG.hasSap, BOOLEAN),
    ("hasIcf", KG.hasIcf, BOOLEAN),
    ("date", KG.documentDate, DATE),
    ("filename", KG.fileName, TEXT),
    ("size", KG.fileSize, INTEGER),
)
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", re.ASCII)


def document_url(nct_id: str, filename: str) -> str | None:
    """The registry's address of a posted document: ``large-docs/<last two digits>/<NCT>/<file>``."""
    if not _FILE_NAME.fullmatch(filename):
        return None
    return f"{REGISTRY_DOCUMENT_URL}{nct_id[-2:]}/{nct_id}/{filename}"


def map_documents(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    documents = module(record, "documentSection", "largeDocumentModule")
    yield from field_triples(ctx, ctx.trial, documents, (("noSap", KG.noSap, BOOLEAN),), PATH)
    for number, document in objects(ctx, documents, "largeDocs", PATH):
        path = f"{PATH}.largeDocs[{number - 1}]"
        filename = document.get("filename")
        node = ctx.keyed("document", filename if isinstance(filename, str) else number)
        yield ctx.trial, KG.largeDocument, node
        yield node, RDF_TYPE, SDO.DigitalDocument
        yield from field_triples(ctx, node, document, DOCUMENT_FIELDS, path)
        uploaded = document.get("uploadDate")
        if uploaded is not None:
            stamp = date_time_minutes(uploaded)
            if stamp is None:
                ctx.error(f"{path}.uploadDate", f"malformed upload time {uploaded!r} "
                                                "(expected yyyy-MM-ddTHH:mm); left out")
            else:
                yield node, KG.uploadDate, stamp
        if isinstance(filename, str):
            url = document_url(ctx.nct_id, filename.strip())
            if url is None:
                ctx.warn(f"{path}.filename", f"not a plain file name {filename!r}; no link made")
            else:
                yield node, SDO.url, url
