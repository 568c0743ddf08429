/* The escape tables, and the sorted joining of the lines a reader or writer wrote. */
#include "lines.h"

unsigned char IRI_ESCAPE[256];
unsigned char STRING_ESCAPE[256];

void
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

PyObject *
joined(Buffer *b, Py_ssize_t *ends, Py_ssize_t count, int as_bytes)
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
    if (as_bytes) {
        result = PyBytes_FromStringAndSize(NULL, total);
        if (result != NULL) {
            out = PyBytes_AS_STRING(result);
            for (Py_ssize_t i = 0; i < unique; i++) {
                memcpy(out, sorted[i].start, sorted[i].size);
                out += sorted[i].size;
            }
        }
        PyMem_Free(sorted);
        return result;
    }
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

/* The tail that ends a line written into b, and where the line ends noted in *ends (grown as
 * needed), for joined() to sort the lines by. */
int
end_line(Buffer *b, Py_buffer *tail, Py_ssize_t **ends, Py_ssize_t *count, Py_ssize_t *cap)
{
    if (*count == *cap) {
        Py_ssize_t grown_cap = *cap ? *cap * 2 : 1024;
        Py_ssize_t *grown = PyMem_Realloc(*ends, grown_cap * sizeof(Py_ssize_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *ends = grown;
        *cap = grown_cap;
    }
    if (put_bytes(b, tail->buf, tail->len) < 0)
        return -1;
    (*ends)[(*count)++] = b->len;
    return 0;
}
