/* What kg's C readers and writer share: the growing buffer they write into, the escape tables
 * and helpers of N-Triples' strings and IRIs, the line sorting, and the N-Triples line reader
 * (also built into the validation index, kg/validation/engine/_index.c). The helpers every
 * line passes through are static inline, so that each file keeps them inlined. */
#ifndef KG_LINES_H
#define KG_LINES_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static const char XSD_STRING[] = "http://www.w3.org/2001/XMLSchema#string";
static const char LANG_STRING[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
static const char RDF_TYPE[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
static const char XSD_INTEGER[] = "http://www.w3.org/2001/XMLSchema#integer";
static const char XSD_BOOLEAN[] = "http://www.w3.org/2001/XMLSchema#boolean";

/* What each byte needs inside an IRI (1: \uXXXX) and inside a string literal (1: \uXXXX,
 * 2: a two-character escape, 3: the lead byte of U+0085, U+2028 or U+2029, which line readers
 * take for line ends and which are therefore escaped too). */
extern unsigned char IRI_ESCAPE[256];
extern unsigned char STRING_ESCAPE[256];

/* Fills the tables; each module calls it when it is loaded. */
void init_tables(void);

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
    int ascii; /* every str written so far is ASCII: the result needs no UTF-8 decoding */
} Buffer;

static inline int
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

static inline char *
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

/* A lexical form's UTF-8 bytes as a quoted N-Triples string (put_string's work). */
static inline int
put_escaped(Buffer *b, const char *bytes, Py_ssize_t size)
{
    if (reserve(b, 6 * size + 2) < 0)
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

static inline int
put_bytes(Buffer *b, const char *bytes, Py_ssize_t size)
{
    if (size == 0)
        return 0; /* memcpy with a NULL buffer is undefined even for no bytes */
    if (reserve(b, size) < 0)
        return -1;
    memcpy(b->data + b->len, bytes, size);
    b->len += size;
    return 0;
}

/* The lines written into b, each ending at one of ends, sorted and without duplicates, as a
 * str or (as_bytes) bytes. */
PyObject *joined(Buffer *b, Py_ssize_t *ends, Py_ssize_t count, int as_bytes);
int end_line(Buffer *b, Py_buffer *tail, Py_ssize_t **ends, Py_ssize_t *count, Py_ssize_t *cap);


static inline int
iri_ok(const char *s, Py_ssize_t n)
{
    /* [A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f<>"{}|^`\\\[\]]*, "%" with two hex digits, one "#" */
    Py_ssize_t i = 0;
    if (n < 1 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
        return 0;
    for (i = 1; i < n && s[i] != ':'; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '+' || c == '.' || c == '-'))
            return 0;
    }
    if (i >= n)
        return 0;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* also what RFC 3987 refuses and Oxigraph with it: DEL, brackets (an IPv6 host is
         * read by Oxigraph instead), a second "#", a "%" without two hex digits */
        if (IRI_ESCAPE[c] || c == 0x7F || c == '[' || c == ']')
            return 0;
        if (c == '#' && memchr(s + i + 1, '#', n - i - 1) != NULL)
            return 0;
        if (c == '%' && (i + 2 >= n || !isxdigit((unsigned char)s[i + 1])
                         || !isxdigit((unsigned char)s[i + 2])))
            return 0;
    }
    return 1;
}

static inline int
lang_ok(const char *s, Py_ssize_t n)
{
    /* [a-zA-Z]+(-[a-zA-Z0-9]+)* */
    Py_ssize_t i = 0, run = 0;
    int first = 1;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9'))
            run++;
        else if (c == '-' && run > 0) {
            run = 0;
            first = 0;
        }
        else
            return 0;
    }
    return run > 0;
}

static inline int
hex_value(const char *s, int digits, Py_UCS4 *out)
{
    Py_UCS4 v = 0;
    for (int i = 0; i < digits; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (Py_UCS4)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (Py_UCS4)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (Py_UCS4)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* The N-Triples line reader (reader.c). */
/* What reading lines keeps between them: the IRI and literal-tail caches, and the subject
 * and predicate of the line before (consecutive lines of a sorted export mostly repeat them,
 * so they are compared as bytes before any lookup). */
typedef struct {
    PyObject *literal_type;
    PyObject *cache;
    PyObject *tails;
    const char *last_s, *last_p;
    Py_ssize_t last_s_n, last_p_n;
    PyObject *last_s_term, *last_p_term; /* borrowed: the cache holds them */
    const char *last_tail;               /* a literal's tail, and its kind (borrowed) */
    Py_ssize_t last_tail_n;
    PyObject *last_kind;
    /* Every line read so far is exactly kg's writing of its triple, in the graph of the first
     * (cleared otherwise): then two lines that differ are two triples. */
    int canonical;
    int lines;
    const char *graph;
    Py_ssize_t graph_n;
} Reader;

int reader_init(Reader *r, PyObject *literal_type);
void reader_free(Reader *r);
/* One line (without its line end) split into new references *s, *p, *o: 1; 0 where the line
 * is not in kg's form; -1 with an exception set. *typed: the object is a typed literal. */
int read_line(Reader *r, const char *line, Py_ssize_t n, PyObject **s, PyObject **p,
              PyObject **o, int *typed);

#endif
