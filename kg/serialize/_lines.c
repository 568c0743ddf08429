/* The N-Triples / N-Quads lines of one record's triples, written in C.
 *
 * Rendering is half of what an export worker does per record, and in Python it is a loop of
 * dictionary lookups, string concatenations, a set and a sort per triple (about 1.5 us a
 * triple). This does the same work on the strings' UTF-8 bytes without a Python object per
 * line. kg/serialize/ntriples.py keeps the Python writer as the reference; its docstring and
 * the tests (tests/test_ntriples_writer.py) pin that both give the same text for any input.
 *
 * lines(triples, tail) -> str
 *   triples: a sequence of (subject, predicate, object) tuples; subject and predicate are IRIs
 *   (str); the object is an IRI (exactly str) or a literal (a 3-tuple: lexical form, datatype
 *   IRI, language tag or None).
 *   tail: what ends each line (" .\n", or " <graph> .\n" for N-Quads).
 *   Returns every triple as one line, sorted (by code point, which is UTF-8 byte order) and
 *   without duplicates, joined.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

static const char XSD_STRING[] = "http://www.w3.org/2001/XMLSchema#string";

/* What each byte needs inside an IRI (1: \uXXXX) and inside a string literal (1: \uXXXX,
 * 2: a two-character escape, 3: the lead byte of U+0085, U+2028 or U+2029, which line readers
 * take for line ends and which are therefore escaped too). */
static unsigned char IRI_ESCAPE[256];
static unsigned char STRING_ESCAPE[256];

static void
init_tables(void)
{
    const char *iri_specials = "<>\"{}|^`\\";
    for (int c = 0; c <= 0x20; c++)
        IRI_ESCAPE[c] = 1;
    for (const char *s = iri_specials; *s; s++)
        IRI_ESCAPE[(unsigned char)*s] = 1;
    for (int c = 0; c < 0x20; c++)
        STRING_ESCAPE[c] = 1;
    STRING_ESCAPE[0x7f] = 1;
    STRING_ESCAPE['\t'] = 0;
    STRING_ESCAPE['\\'] = 2;
    STRING_ESCAPE['"'] = 2;
    STRING_ESCAPE['\n'] = 2;
    STRING_ESCAPE['\r'] = 2;
    STRING_ESCAPE[0xc2] = 3;
    STRING_ESCAPE[0xe2] = 3;
}

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
    int ascii; /* every str written so far is ASCII: the result needs no UTF-8 decoding */
} Buffer;

static int
reserve(Buffer *b, Py_ssize_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    Py_ssize_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->len + extra)
        cap *= 2;
    char *data = PyMem_Realloc(b->data, cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static const char HEX[] = "0123456789ABCDEF";

static char *
put_u_escape(char *out, unsigned int code)
{
    out[0] = '\\';
    out[1] = 'u';
    out[2] = HEX[(code >> 12) & 0xf];
    out[3] = HEX[(code >> 8) & 0xf];
    out[4] = HEX[(code >> 4) & 0xf];
    out[5] = HEX[code & 0xf];
    return out + 6;
}

/* The UTF-8 bytes of a str written into b, or NULL with an exception set. */
static const char *
utf8_of(Buffer *b, PyObject *value, Py_ssize_t *size, const char *what, Py_ssize_t index)
{
    if (!PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "triple %zd: the %s is a %.100s, not a str", index, what,
                     Py_TYPE(value)->tp_name);
        return NULL;
    }
    b->ascii &= PyUnicode_IS_ASCII(value);
    return PyUnicode_AsUTF8AndSize(value, size);
}

/* <iri>, with the characters N-Triples forbids in an IRI written as \uXXXX. */
static int
put_iri(Buffer *b, PyObject *value, const char *what, Py_ssize_t index)
{
    Py_ssize_t size;
    const char *bytes = utf8_of(b, value, &size, what, index);
    if (bytes == NULL || reserve(b, 6 * size + 2) < 0)
        return -1;
    char *out = b->data + b->len;
    *out++ = '<';
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (IRI_ESCAPE[c])
            out = put_u_escape(out, c);
        else
            *out++ = (char)c;
    }
    *out++ = '>';
    b->len = out - b->data;
    return 0;
}

/* "lexical", escaped as kg/serialize/ntriples.py's _STRING_SPECIAL says. */
static int
put_string(Buffer *b, PyObject *value, Py_ssize_t index)
{
    Py_ssize_t size;
    const char *bytes = utf8_of(b, value, &size, "lexical form", index);
    if (bytes == NULL || reserve(b, 6 * size + 2) < 0)
        return -1;
    char *out = b->data + b->len;
    *out++ = '"';
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)bytes[i];
        switch (STRING_ESCAPE[c]) {
        case 0:
            *out++ = (char)c;
            break;
        case 1:
            out = put_u_escape(out, c);
            break;
        case 2:
            *out++ = '\\';
            *out++ = c == '\n' ? 'n' : c == '\r' ? 'r' : (char)c;
            break;
        default: /* 0xc2 or 0xe2: escape U+0085, U+2028 and U+2029, copy the rest */
            if (c == 0xc2 && i + 1 < size && (unsigned char)bytes[i + 1] == 0x85) {
                out = put_u_escape(out, 0x85);
                i += 1;
            }
            else if (c == 0xe2 && i + 2 < size && (unsigned char)bytes[i + 1] == 0x80
                     && ((unsigned char)bytes[i + 2] == 0xa8
                         || (unsigned char)bytes[i + 2] == 0xa9)) {
                out = put_u_escape(out, 0x2028 + ((unsigned char)bytes[i + 2] - 0xa8));
                i += 2;
            }
            else
                *out++ = (char)c;
        }
    }
    *out++ = '"';
    b->len = out - b->data;
    return 0;
}

static int
put_bytes(Buffer *b, const char *bytes, Py_ssize_t size)
{
    if (reserve(b, size) < 0)
        return -1;
    memcpy(b->data + b->len, bytes, size);
    b->len += size;
    return 0;
}

/* A literal: "lexical"@language, "lexical"^^<datatype>, or "lexical" for xsd:string. */
static int
put_literal(Buffer *b, PyObject *literal, Py_ssize_t index)
{
    if (PyTuple_GET_SIZE(literal) != 3) {
        PyErr_Format(PyExc_TypeError, "triple %zd: a literal is (lexical, datatype, language)",
                     index);
        return -1;
    }
    PyObject *language = PyTuple_GET_ITEM(literal, 2);
    if (put_string(b, PyTuple_GET_ITEM(literal, 0), index) < 0)
        return -1;
    if (language != Py_None && PyObject_IsTrue(language)) {
        Py_ssize_t size;
        const char *bytes = utf8_of(b, language, &size, "language tag", index);
        return bytes == NULL || put_bytes(b, "@", 1) < 0 || put_bytes(b, bytes, size) < 0 ? -1 : 0;
    }
    Py_ssize_t size;
    const char *datatype = utf8_of(b, PyTuple_GET_ITEM(literal, 1), &size, "datatype", index);
    if (datatype == NULL)
        return -1;
    if (size == sizeof(XSD_STRING) - 1 && memcmp(datatype, XSD_STRING, size) == 0)
        return 0;
    if (put_bytes(b, "^^", 2) < 0)
        return -1;
    return put_iri(b, PyTuple_GET_ITEM(literal, 1), "datatype", index);
}

typedef struct {
    const char *start;
    Py_ssize_t size;
} Line;

static int
compare_lines(const void *left, const void *right)
{
    const Line *a = left, *b = right;
    int order = memcmp(a->start, b->start, a->size < b->size ? a->size : b->size);
    if (order)
        return order;
    return (a->size > b->size) - (a->size < b->size);
}

static PyObject *
joined(Buffer *b, Py_ssize_t *ends, Py_ssize_t count)
{
    Line *sorted = PyMem_Malloc((count ? count : 1) * sizeof(Line));
    if (sorted == NULL)
        return PyErr_NoMemory();
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        sorted[i].start = b->data + start;
        sorted[i].size = ends[i] - start;
        start = ends[i];
    }
    qsort(sorted, count, sizeof(Line), compare_lines);
    Py_ssize_t unique = 0, total = 0; /* duplicates dropped in place, once */
    for (Py_ssize_t i = 0; i < count; i++)
        if (unique == 0 || compare_lines(&sorted[unique - 1], &sorted[i]) != 0) {
            sorted[unique++] = sorted[i];
            total += sorted[i].size;
        }
    PyObject *result = NULL;
    char *out = NULL;
    if (b->ascii) {
        result = PyUnicode_New(total, 127);
        if (result != NULL)
            out = (char *)PyUnicode_1BYTE_DATA(result);
    }
    else
        out = PyMem_Malloc(total ? total : 1);
    if (out != NULL) {
        char *at = out;
        for (Py_ssize_t i = 0; i < unique; i++) {
            memcpy(at, sorted[i].start, sorted[i].size);
            at += sorted[i].size;
        }
        if (!b->ascii) {
            result = PyUnicode_DecodeUTF8(out, total, "strict");
            PyMem_Free(out);
        }
    }
    else if (!b->ascii)
        PyErr_NoMemory();
    PyMem_Free(sorted);
    return result;
}

static PyObject *
lines(PyObject *module, PyObject *args)
{
    PyObject *triples, *tail;
    if (!PyArg_ParseTuple(args, "OU:lines", &triples, &tail))
        return NULL;
    Py_ssize_t tail_size;
    const char *tail_bytes = PyUnicode_AsUTF8AndSize(tail, &tail_size);
    if (tail_bytes == NULL)
        return NULL;
    PyObject *items = PySequence_Fast(triples, "lines() takes a sequence of triples");
    if (items == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(items);
    Buffer b = {NULL, 0, 0, PyUnicode_IS_ASCII(tail)};
    Py_ssize_t *ends = PyMem_Malloc((count ? count : 1) * sizeof(Py_ssize_t));
    PyObject *result = NULL;
    if (ends == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *triple = PySequence_Fast_GET_ITEM(items, i);
        if (!PyTuple_Check(triple) || PyTuple_GET_SIZE(triple) != 3) {
            PyErr_Format(PyExc_TypeError, "triple %zd is not a (subject, predicate, object) tuple",
                         i);
            goto done;
        }
        PyObject *object = PyTuple_GET_ITEM(triple, 2);
        if (put_iri(&b, PyTuple_GET_ITEM(triple, 0), "subject", i) < 0
            || put_bytes(&b, " ", 1) < 0
            || put_iri(&b, PyTuple_GET_ITEM(triple, 1), "predicate", i) < 0
            || put_bytes(&b, " ", 1) < 0)
            goto done;
        if (PyUnicode_CheckExact(object)) {
            if (put_iri(&b, object, "object", i) < 0)
                goto done;
        }
        else if (PyTuple_Check(object)) {
            if (put_literal(&b, object, i) < 0)
                goto done;
        }
        else {
            PyErr_Format(PyExc_TypeError, "triple %zd: the object is a %.100s, neither an IRI "
                         "(str) nor a literal", i, Py_TYPE(object)->tp_name);
            goto done;
        }
        if (put_bytes(&b, tail_bytes, tail_size) < 0)
            goto done;
        ends[i] = b.len;
    }
    result = joined(&b, ends, count);
done:
    PyMem_Free(ends);
    PyMem_Free(b.data);
    Py_DECREF(items);
    return result;
}

static PyMethodDef METHODS[] = {
    {"lines", lines, METH_VARARGS,
     "lines(triples, tail) -> str: every triple as a line ending in tail, sorted and without "
     "duplicates (the same text as kg.serialize.ntriples.reference_lines)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "kg.serialize._lines",
    "N-Triples / N-Quads lines of one record's triples, written in C.", -1, METHODS,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    init_tables();
    return PyModule_Create(&MODULE);
}
