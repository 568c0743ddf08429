/* ---------------------------------------------------------------------------------------
 * index(data, literal, pairs) -> (spo, typed) | None
 *
 * What kg.validation.engine.data.DataGraph builds from split's triples, built here from the
 * lines themselves without a tuple per triple: spo, {subject: {predicate: [objects]}} in line
 * order; the (subject, object) pairs of each predicate that is a key of pairs (a dict of
 * lists, filled in place); typed, the literals whose datatype is not xsd:string. data:
 * bytes of lines in the form split reads, strictly rising and each exactly as kg's writer
 * writes its triple, all in one graph (as kg export writes a trial: then no triple is there
 * twice, under two spellings or in two graphs). None where a line is not so (the caller then
 * splits and drops duplicates itself).
 */
#include "lines.h"
static PyObject *
index_lines(PyObject *self, PyObject *args)
{
    PyObject *literal_type, *pairs, *spo = NULL, *typed_list = NULL, *result = NULL;
    PyObject *predicates = NULL, *values = NULL; /* borrowed: the subject's and predicate's */
    PyObject *at_s = NULL, *at_p = NULL;        /* the subject and predicate they are for */
    Py_buffer view;
    const char *data, *previous = NULL;
    Py_ssize_t size, pos = 0, previous_n = 0;
    Reader r;
    if (!PyArg_ParseTuple(args, "y*OO!:index", &view, &literal_type, &PyDict_Type, &pairs))
        return NULL;
    if (!PyType_Check(literal_type)
        || !PyType_IsSubtype((PyTypeObject *)literal_type, &PyTuple_Type)) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_TypeError, "index: literal must be a tuple type");
        return NULL;
    }
    data = view.buf;
    size = view.len;
    if (reader_init(&r, literal_type) < 0)
        goto error;
    spo = PyDict_New();
    typed_list = PyList_New(0);
    if (spo == NULL || typed_list == NULL)
        goto error;
    while (pos < size) {
        const char *line = data + pos, *nl = memchr(line, '\n', size - pos);
        Py_ssize_t n = nl ? nl - line : size - pos;
        PyObject *s, *p, *o, *pair_list;
        int typed, read, order;
        pos += n + 1;
        if (n == 0)
            continue;
        if (previous != NULL) {
            order = memcmp(previous, line, previous_n < n ? previous_n : n);
            if (order > 0 || (order == 0 && previous_n >= n))
                goto refuse;
        }
        previous = line;
        previous_n = n;
        read = read_line(&r, line, n, &s, &p, &o, &typed);
        if (read < 0)
            goto error;
        if (read == 0 || !r.canonical) {
            if (read > 0) {
                Py_DECREF(s);
                Py_DECREF(p);
                Py_DECREF(o);
            }
            goto refuse;
        }
        if (s != at_s) {
            predicates = PyDict_GetItemWithError(spo, s);
            if (predicates == NULL) {
                if (PyErr_Occurred())
                    goto error_spo;
                predicates = PyDict_New();
                if (predicates == NULL || PyDict_SetItem(spo, s, predicates) < 0) {
                    Py_XDECREF(predicates);
                    goto error_spo;
                }
                Py_DECREF(predicates);  /* spo holds it */
            }
            at_s = s;
            at_p = NULL;
        }
        if (p != at_p) {
            values = PyDict_GetItemWithError(predicates, p);
            if (values == NULL) {
                if (PyErr_Occurred())
                    goto error_spo;
                values = PyList_New(0);
                if (values == NULL || PyDict_SetItem(predicates, p, values) < 0) {
                    Py_XDECREF(values);
                    goto error_spo;
                }
                Py_DECREF(values);  /* the subject's dict holds it */
            }
            at_p = p;
        }
        if (PyList_Append(values, o) < 0)
            goto error_spo;
        pair_list = PyDict_GetItemWithError(pairs, p);
        if (pair_list == NULL && PyErr_Occurred())
            goto error_spo;
        if (pair_list != NULL) {
            PyObject *pair = PyTuple_Pack(2, s, o);
            if (pair == NULL || PyList_Append(pair_list, pair) < 0) {
                Py_XDECREF(pair);
                goto error_spo;
            }
            Py_DECREF(pair);
        }
        if (typed && PyList_Append(typed_list, o) < 0)
            goto error_spo;
        /* at_s and at_p stay valid: spo and the cache hold the subject and predicate */
        Py_DECREF(s);
        Py_DECREF(p);
        Py_DECREF(o);
        continue;
    error_spo:
        Py_DECREF(s);
        Py_DECREF(p);
        Py_DECREF(o);
        goto error;
    }
    result = PyTuple_Pack(2, spo, typed_list);
    goto done;
refuse:
    result = Py_None;
    Py_INCREF(Py_None);
    goto done;
error:
    result = NULL;
done:
    Py_XDECREF(spo);
    Py_XDECREF(typed_list);
    reader_free(&r);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef METHODS[] = {
    {"index", index_lines, METH_VARARGS,
     "index(data, literal, pairs) -> (spo, typed) | None: the validation engine's index of "
     "strictly rising lines in the form kg.serialize's split reads, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "kg.validation.engine._index",
    "The native SHACL engine's index of a trial, built in C straight from its lines.", -1,
    METHODS,
};

PyMODINIT_FUNC
PyInit__index(void)
{
    init_tables();
    return PyModule_Create(&MODULE);
}
