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
#include "lines.h"

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
    if (bytes == NULL)
        return -1;
    return put_escaped(b, bytes, size);
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

PyObject *
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
    result = joined(&b, ends, count, 0);
done:
    PyMem_Free(ends);
    PyMem_Free(b.data);
    Py_DECREF(items);
    return result;
}
