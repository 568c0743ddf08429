/* ---------------------------------------------------------------------------------------
 * split(text, literal) -> list | None
 *
 * The reading direction: N-Triples or N-Quads lines in the form kg writes, split into kg's
 * term encoding, exactly as kg.serialize.quads.reference_triples does in Python (the tests
 * hold the two to the same answer): single spaces, IRIs checked for what an IRIREF may hold
 * (a scheme, no spaces, controls, <>"{}|^` or backslash), literals with their escapes undone
 * and a datatype or a language tag, no blank nodes. None as soon as a line is not in that
 * form. text: str; literal: the type literals are made with (kg.rdf.Literal). Equal IRIs come
 * back as one str object, as the Python reader's token cache gives them.
 */
#include "lines.h"

PyObject *
split(PyObject *self, PyObject *args)
{
    PyObject *text, *literal_type, *found = NULL;
    const char *data;
    Py_ssize_t size, pos = 0;
    Reader r;
    if (!PyArg_ParseTuple(args, "UO:split", &text, &literal_type))
        return NULL;
    if (!PyType_Check(literal_type)
        || !PyType_IsSubtype((PyTypeObject *)literal_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "split: literal must be a tuple type");
        return NULL;
    }
    data = PyUnicode_AsUTF8AndSize(text, &size);
    if (data == NULL)
        return NULL;
    if (reader_init(&r, literal_type) < 0 || (found = PyList_New(0)) == NULL) {
        reader_free(&r);
        return NULL;
    }
    while (pos < size) {
        const char *line = data + pos, *nl = memchr(line, '\n', size - pos);
        Py_ssize_t n = nl ? nl - line : size - pos;
        PyObject *s, *p, *o, *triple;
        int typed, read;
        pos += n + 1;
        if (n == 0)
            continue;
        read = read_line(&r, line, n, &s, &p, &o, &typed);
        if (read <= 0) {
            Py_CLEAR(found);
            if (read == 0)
                found = Py_None, Py_INCREF(Py_None);
            break;
        }
        triple = PyTuple_Pack(3, s, p, o);
        Py_DECREF(s);
        Py_DECREF(p);
        Py_DECREF(o);
        if (triple == NULL || PyList_Append(found, triple) < 0) {
            Py_XDECREF(triple);
            Py_CLEAR(found);
            break;
        }
        Py_DECREF(triple);
    }
    reader_free(&r);
    return found;
}

/* ---------------------------------------------------------------------------------------
 * run_end(buffer, start, suffix, limit) -> (end, lines)
 *
 * Where the run of lines from start (up to limit) that N-Quads readers may take whole as one
 * graph's stops, and how many lines it holds: each line starts with "<", ends with suffix
 * (" <graph> .\n") and has two spaces before it (four terms: "<s> <p> <graph> ." ends the
 * same way but has no graph). The same answer as kg.serialize.quads.reference_run_end.
 */
PyObject *
run_end(PyObject *self, PyObject *args)
{
    Py_buffer buffer, suffix;
    Py_ssize_t start, limit, pos, lines = 0;
    if (!PyArg_ParseTuple(args, "y*ny*n:run_end", &buffer, &start, &suffix, &limit))
        return NULL;
    const char *data = buffer.buf, *tail = suffix.buf;
    Py_ssize_t tail_n = suffix.len;
    if (limit > buffer.len)
        limit = buffer.len;
    pos = start < 0 ? 0 : start;
    while (pos < limit) {
        const char *line = data + pos, *nl = memchr(line, '\n', limit - pos), *space;
        Py_ssize_t n;
        if (nl == NULL)
            break;
        n = nl + 1 - line;
        if (line[0] != '<' || n <= tail_n || memcmp(nl + 1 - tail_n, tail, tail_n) != 0)
            break;
        space = memchr(line, ' ', n - tail_n);
        if (space == NULL || memchr(space + 1, ' ', n - tail_n - (space + 1 - line)) == NULL)
            break;
        pos += n;
        lines++;
    }
    PyBuffer_Release(&buffer);
    PyBuffer_Release(&suffix);
    return Py_BuildValue("(nn)", pos < start ? start : pos, lines);
}
