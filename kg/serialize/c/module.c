/* kg.serialize._lines: the N-Triples writer and the readers of kg's N-Triples / N-Quads, Turtle
 * and JSON-LD, each in its own file of this directory. */
#include "lines.h"

PyObject *lines(PyObject *module, PyObject *args);
PyObject *split(PyObject *self, PyObject *args);
PyObject *run_end(PyObject *self, PyObject *args);
PyObject *turtle(PyObject *self, PyObject *args);
PyObject *jsonld(PyObject *self, PyObject *args);

static PyMethodDef METHODS[] = {
    {"lines", lines, METH_VARARGS,
     "lines(triples, tail) -> str: every triple as a line ending in tail, sorted and without "
     "duplicates (the same text as kg.serialize.ntriples.reference_lines)."},
    {"split", split, METH_VARARGS,
     "split(text, literal) -> list | None: the triples of N-Triples or N-Quads lines in the "
     "form kg writes, or None (the same answer as kg.serialize.quads.reference_triples)."},
    {"run_end", run_end, METH_VARARGS,
     "run_end(buffer, start, suffix, limit) -> (end, lines): where the lines from start that "
     "are one graph's in kg's form stop (kg.serialize.quads.reference_run_end)."},
    {"turtle", turtle, METH_VARARGS,
     "turtle(data, tail) -> bytes | None: a record of kg's Turtle (after the file's @prefix "
     "lines) as the sorted N-Triples / N-Quads lines kg export writes for it, or None."},
    {"jsonld", jsonld, METH_VARARGS,
     "jsonld(nodes, terms, vocab, tail) -> bytes | None: the node objects of kg's JSON-LD as "
     "the sorted N-Triples / N-Quads lines kg export writes for them, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "kg.serialize._lines",
    "N-Triples / N-Quads lines of one record's triples written, and read back, in C.", -1,
    METHODS,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    init_tables();
    return PyModule_Create(&MODULE);
}

