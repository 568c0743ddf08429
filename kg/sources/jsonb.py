"""SQLite's binary JSON (JSONB, SQLite 3.45 and later), decoded without SQLite: ctrdata
databases since 2024 hold records so, and the SQLite many systems ship cannot read them.

The format (https://sqlite.org/jsonb.html): each element is a header and a payload. The
header's first byte holds the element's type in its low four bits and, in its high four, the
payload's size (0 to 11) or how many bytes after it hold the size, big-endian (12: 1, 13: 2,
14: 4, 15: 8). Arrays and objects hold their elements (an object: label, value, label...).
"""

from __future__ import annotations

import re

import orjson

_NULL, _TRUE, _FALSE, _INT, _INT5, _FLOAT, _FLOAT5 = range(7)
_TEXT, _TEXTJ, _TEXT5, _TEXTRAW, _ARRAY, _OBJECT = range(7, 13)
_SIZE_BYTES = {12: 1, 13: 2, 14: 4, 15: 8}
_HEX = re.compile(r"\\x([0-9A-Fa-f]{2})")
_JSON5_ESCAPES = {"\\'": "'", "\\v": "\\u000b", "\\0": "\\u0000"}


class JsonbError(ValueError):
    """Bytes that are not SQLite JSONB."""


def _header(data: bytes, at: int) -> tuple[int, int, int]:
    """(type, payload start, payload end) of the element at ``at``."""
    if at >= len(data):
        raise JsonbError(f"element header past the end at byte {at}")
    first = data[at]
    kind, size = first & 0x0F, first >> 4
    start = at + 1
    if size >= 12:
        width = _SIZE_BYTES[size]
        size = int.from_bytes(data[start:start + width], "big")
        start += width
    end = start + size
    if end > len(data) or kind > _OBJECT:
        raise JsonbError(f"element of type {kind} and size {size} at byte {at} does not fit")
    return kind, start, end


def _text(kind: int, payload: bytes) -> str:
    text = payload.decode("utf-8")
    if kind == _TEXT or kind == _TEXTRAW:
        return text
    if kind == _TEXT5:
        for escape, char in _JSON5_ESCAPES.items():
            text = text.replace(escape, char)
        text = _HEX.sub(lambda m: "\\u00" + m.group(1), text.replace("\\\n", ""))
    return orjson.loads(b'"' + text.encode() + b'"')


def _number(kind: int, payload: bytes) -> int | float:
    text = payload.decode("ascii")
    if kind == _INT:
        return int(text)
    if kind == _INT5:
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        return sign * int(digits, 16 if digits.lower().startswith("0x") else 10)
    lowered = text.lower().lstrip("+")
    if lowered in ("infinity", "-infinity", "nan", "-nan"):
        return float(lowered.replace("infinity", "inf"))
    return float(text if not text.startswith(".") else "0" + text)


def _element(data: bytes, at: int) -> tuple[object, int]:
    kind, start, end = _header(data, at)
    payload = data[start:end]
    if kind == _NULL:
        return None, end
    if kind == _TRUE:
        return True, end
    if kind == _FALSE:
        return False, end
    if kind in (_INT, _INT5, _FLOAT, _FLOAT5):
        return _number(kind, payload), end
    if kind in (_TEXT, _TEXTJ, _TEXT5, _TEXTRAW):
        return _text(kind, payload), end
    items = []
    position = start
    while position < end:
        item, position = _element(data, position)
        items.append(item)
    if position != end:
        raise JsonbError(f"a container at byte {at} overruns its size")
    if kind == _ARRAY:
        return items, end
    if len(items) % 2:
        raise JsonbError(f"an object at byte {at} has a label without a value")
    return {str(items[i]): items[i + 1] for i in range(0, len(items), 2)}, end


def decode(data: bytes) -> object:
    """The JSON value a JSONB blob holds."""
    value, end = _element(data, 0)
    if end != len(data):
        raise JsonbError(f"{len(data) - end} bytes after the value")
    return value
