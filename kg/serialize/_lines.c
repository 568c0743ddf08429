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
#include <ctype.h>

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

static int put_escaped(Buffer *b, const char *bytes, Py_ssize_t size);

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

/* A lexical form's UTF-8 bytes as a quoted N-Triples string (put_string's work). */
static int
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
    result = joined(&b, ends, count, 0);
done:
    PyMem_Free(ends);
    PyMem_Free(b.data);
    Py_DECREF(items);
    return result;
}


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

static const char LANG_STRING[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

static int
iri_ok(const char *s, Py_ssize_t n)
{
    /* [A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]* */
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
        if (IRI_ESCAPE[(unsigned char)s[i]])
            return 0;
    }
    return 1;
}

static int
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

/* An IRI token ("<...>") as a str, from the cache or checked and added to it; NULL with no
 * error set where the token is not an IRI in kg's form. */
static PyObject *
iri_term(PyObject *cache, const char *s, Py_ssize_t n)
{
    PyObject *key, *found;
    if (n < 2 || s[0] != '<' || s[n - 1] != '>')
        return NULL;
    key = PyBytes_FromStringAndSize(s, n);
    if (key == NULL)
        return NULL;
    found = PyDict_GetItemWithError(cache, key);
    if (found != NULL) {
        Py_DECREF(key);
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred() || !iri_ok(s + 1, n - 2)) {
        Py_DECREF(key);
        return NULL;
    }
    found = PyUnicode_DecodeUTF8(s + 1, n - 2, "strict");
    if (found == NULL || PyDict_SetItem(cache, key, found) < 0) {
        Py_DECREF(key);
        Py_XDECREF(found);
        return NULL;
    }
    Py_DECREF(key);
    return found;
}

static int
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

/* Whether a byte STRING_ESCAPE marks may stand unescaped where kg's writer writes it: the
 * quote and backslash are handled by the caller; the lead bytes 0xc2 and 0xe2 may, except as
 * U+0085, U+2028 or U+2029; control characters (but the tab) may not. */
static int
raw_ok(const char *s, Py_ssize_t n)
{
    unsigned char c = (unsigned char)s[0];
    if (c == 0xc2)
        return !(n > 1 && (unsigned char)s[1] == 0x85);
    if (c == 0xe2)
        return !(n > 2 && (unsigned char)s[1] == 0x80
                 && ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9));
    return c == '"' || c == '\\';
}

/* Whether \uXXXX is how kg's writer writes code point v: upper-case hex, for a character
 * STRING_ESCAPE says is written so. */
static int
u_escape_ok(const char *hex, Py_UCS4 v)
{
    for (int k = 0; k < 4; k++)
        if (hex[k] >= 'a' && hex[k] <= 'f')
            return 0;
    if (v < 0x80)
        return STRING_ESCAPE[v] == 1;
    return v == 0x85 || v == 0x2028 || v == 0x2029;
}

/* A literal's quoted text with its escapes undone; NULL with no error set where it holds a
 * quote not escaped, a backslash that starts no escape, or a code point past U+10FFFF. The text
 * is unescaped into UTF-8 bytes and decoded once (surrogates from \uD800-style escapes pass, as
 * Python's chr gives them). *canonical is cleared where the text is not exactly what kg's
 * writer (put_string) writes for that lexical form, so that another spelling of it could be on
 * another line. */
static PyObject *
lexical_form(const char *s, Py_ssize_t n, int *canonical)
{
    Py_ssize_t i = 0;
    char *out, *w;
    PyObject *result;
    if (memchr(s, '\\', n) == NULL) {
        if (memchr(s, '"', n) != NULL)
            return NULL;
        for (i = 0; i < n && *canonical; i++)
            if (STRING_ESCAPE[(unsigned char)s[i]] && !raw_ok(s + i, n - i))
                *canonical = 0;
        return PyUnicode_DecodeUTF8(s, n, "strict");
    }
    out = PyMem_Malloc(n + 1);  /* an escape never takes more bytes than it is written in */
    if (out == NULL)
        return PyErr_NoMemory();
    w = out;
    while (i < n) {
        char c = s[i];
        Py_UCS4 v;
        if (c == '"')
            goto refuse;
        if (c != '\\') {
            if (STRING_ESCAPE[(unsigned char)c] && !raw_ok(s + i, n - i))
                *canonical = 0;
            *w++ = c;
            i++;
            continue;
        }
        if (i + 1 >= n)
            goto refuse;
        switch (s[i + 1]) {
        case 't': *w++ = '\t'; i += 2; *canonical = 0; continue;
        case 'b': *w++ = '\b'; i += 2; *canonical = 0; continue;
        case 'n': *w++ = '\n'; i += 2; continue;
        case 'r': *w++ = '\r'; i += 2; continue;
        case 'f': *w++ = '\f'; i += 2; *canonical = 0; continue;
        case '"': *w++ = '"'; i += 2; continue;
        case '\'': *w++ = '\''; i += 2; *canonical = 0; continue;
        case '\\': *w++ = '\\'; i += 2; continue;
        case 'u':
            if (i + 6 > n || !hex_value(s + i + 2, 4, &v))
                goto refuse;
            if (!u_escape_ok(s + i + 2, v))
                *canonical = 0;
            i += 6;
            break;
        case 'U':
            if (i + 10 > n || !hex_value(s + i + 2, 8, &v) || v > 0x10FFFF)
                goto refuse;
            *canonical = 0;
            i += 10;
            break;
        default:
            goto refuse;
        }
        /* the code point as UTF-8 (surrogates too: decoded with surrogatepass) */
        if (v < 0x80)
            *w++ = (char)v;
        else if (v < 0x800) {
            *w++ = (char)(0xC0 | (v >> 6));
            *w++ = (char)(0x80 | (v & 0x3F));
        }
        else if (v < 0x10000) {
            *w++ = (char)(0xE0 | (v >> 12));
            *w++ = (char)(0x80 | ((v >> 6) & 0x3F));
            *w++ = (char)(0x80 | (v & 0x3F));
        }
        else {
            *w++ = (char)(0xF0 | (v >> 18));
            *w++ = (char)(0x80 | ((v >> 12) & 0x3F));
            *w++ = (char)(0x80 | ((v >> 6) & 0x3F));
            *w++ = (char)(0x80 | (v & 0x3F));
        }
    }
    result = PyUnicode_DecodeUTF8(out, w - out, "surrogatepass");
    PyMem_Free(out);
    return result;
refuse:
    PyMem_Free(out);
    return NULL;
}

/* A literal: an instance of the named tuple type given (a tuple subclass with no fields of
 * its own), made as tuple.__new__ makes one, without a call into Python. Steals lexical. */
static PyObject *
make_literal(PyObject *literal_type, PyObject *lexical, PyObject *datatype, PyObject *language)
{
    PyTypeObject *type = (PyTypeObject *)literal_type;  /* checked by the caller */
    PyObject *o = type->tp_alloc(type, 3);
    if (o == NULL) {
        Py_DECREF(lexical);
        return NULL;
    }
    Py_INCREF(datatype);
    Py_INCREF(language);
    PyTuple_SET_ITEM(o, 0, lexical);
    PyTuple_SET_ITEM(o, 1, datatype);
    PyTuple_SET_ITEM(o, 2, language);
    return o;
}

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

static int
reader_init(Reader *r, PyObject *literal_type)
{
    memset(r, 0, sizeof(Reader));
    r->literal_type = literal_type;
    r->canonical = 1;
    r->cache = PyDict_New();
    r->tails = PyDict_New();
    return r->cache != NULL && r->tails != NULL ? 0 : -1;
}

static void
reader_free(Reader *r)
{
    Py_XDECREF(r->cache);
    Py_XDECREF(r->tails);
}

/* A subject or predicate token: the one of the line before where the bytes are the same. */
static PyObject *
repeated_iri(Reader *r, const char *s, Py_ssize_t n, const char **last, Py_ssize_t *last_n,
             PyObject **last_term)
{
    PyObject *term;
    if (*last_term != NULL && n == *last_n && memcmp(s, *last, n) == 0) {
        Py_INCREF(*last_term);
        return *last_term;
    }
    term = iri_term(r->cache, s, n);
    if (term != NULL) {
        *last = s;
        *last_n = n;
        *last_term = term;
    }
    return term;
}

/* The literal starting at rest (its opening quote) up to the line's last quote, and where
 * what follows its tail starts (the graph, or NULL). NULL (no error) to refuse. */
static PyObject *
literal_term(Reader *r, const char *rest, Py_ssize_t rest_n, const char **graph,
             Py_ssize_t *graph_n, int *typed)
{
    const char *close = rest + rest_n - 1, *tail, *space;
    Py_ssize_t tail_n;
    PyObject *kind, *lexical, *key;
    while (close > rest && *close != '"')
        close--;
    if (close == rest)
        return NULL;
    tail = close + 1;
    space = memchr(tail, ' ', rest + rest_n - tail);
    tail_n = space ? space - tail : rest + rest_n - tail;
    if (space) {
        *graph = space + 1;
        *graph_n = rest + rest_n - *graph;
    }
    if (r->last_kind != NULL && tail_n == r->last_tail_n
        && memcmp(tail, r->last_tail, tail_n) == 0) {
        kind = r->last_kind;
        goto known;
    }
    key = PyBytes_FromStringAndSize(tail, tail_n);
    if (key == NULL)
        return NULL;
    kind = PyDict_GetItemWithError(r->tails, key);
    if (kind == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(key);
            return NULL;
        }
        if (tail_n == 0)
            kind = Py_BuildValue("(sOO)", XSD_STRING, Py_None, Py_False);
        else if (tail_n > 4 && tail[0] == '^' && tail[1] == '^' && tail[2] == '<'
                 && tail[tail_n - 1] == '>' && iri_ok(tail + 3, tail_n - 4)) {
            int plain = tail_n - 4 == (Py_ssize_t)sizeof(XSD_STRING) - 1
                && memcmp(tail + 3, XSD_STRING, tail_n - 4) == 0;
            kind = Py_BuildValue("(s#OO)", tail + 3, tail_n - 4, Py_None,
                                 plain ? Py_False : Py_True);
        }
        else if (tail_n > 1 && tail[0] == '@' && lang_ok(tail + 1, tail_n - 1))
            kind = Py_BuildValue("(ss#O)", LANG_STRING, tail + 1, tail_n - 1, Py_True);
        else
            kind = Py_None, Py_INCREF(Py_None);
        if (kind == NULL || PyDict_SetItem(r->tails, key, kind) < 0) {
            Py_DECREF(key);
            Py_XDECREF(kind);
            return NULL;
        }
        Py_DECREF(kind);  /* the dict holds it */
    }
    Py_DECREF(key);
    if (kind == Py_None)
        return NULL;
    r->last_tail = tail;
    r->last_tail_n = tail_n;
    r->last_kind = kind;
known:
    *typed = PyTuple_GET_ITEM(kind, 2) == Py_True;
    if (tail_n > 0 && tail[0] == '^' && !*typed)
        r->canonical = 0;  /* ^^xsd:string, which kg's writer leaves out */
    lexical = lexical_form(rest + 1, close - rest - 1, &r->canonical);
    if (lexical == NULL)
        return NULL;
    return make_literal(r->literal_type, lexical, PyTuple_GET_ITEM(kind, 0),
                        PyTuple_GET_ITEM(kind, 1));
}

/* One line (without its line end) split into new references *s, *p, *o: 1; 0 (no error
 * set) where the line is not in kg's form; -1 on an error. *typed: the object is a literal
 * with a datatype (not a plain string, not a language-tagged one). */
static int
read_line(Reader *r, const char *line, Py_ssize_t n, PyObject **s, PyObject **p,
          PyObject **o, int *typed)
{
    const char *sp1, *sp2, *rest, *graph = NULL;
    Py_ssize_t rest_n, graph_n = 0;
    *s = *p = *o = NULL;
    *typed = 0;
    if (n < 2 || line[n - 2] != ' ' || line[n - 1] != '.')
        return 0;
    n -= 2;
    sp1 = memchr(line, ' ', n);
    if (sp1 == NULL)
        return 0;
    *s = repeated_iri(r, line, sp1 - line, &r->last_s, &r->last_s_n, &r->last_s_term);
    if (*s == NULL)
        goto refuse;
    sp2 = memchr(sp1 + 1, ' ', n - (sp1 + 1 - line));
    if (sp2 == NULL)
        goto refuse;
    *p = repeated_iri(r, sp1 + 1, sp2 - sp1 - 1, &r->last_p, &r->last_p_n, &r->last_p_term);
    if (*p == NULL)
        goto refuse;
    rest = sp2 + 1;
    rest_n = n - (rest - line);
    if (rest_n > 0 && rest[0] == '"')
        *o = literal_term(r, rest, rest_n, &graph, &graph_n, typed);
    else {
        const char *space = memchr(rest, ' ', rest_n);
        if (space) {
            graph = space + 1;
            graph_n = rest + rest_n - graph;
        }
        *o = iri_term(r->cache, rest, space ? space - rest : rest_n);
    }
    if (*o == NULL)
        goto refuse;
    if (graph != NULL && graph_n > 0 && r->lines > 0 && graph_n == r->graph_n
        && memcmp(graph, r->graph, graph_n) == 0)
        ;  /* the first line's graph, checked there */
    else if (graph != NULL && graph_n > 0) {
        PyObject *g = iri_term(r->cache, graph, graph_n);
        if (g == NULL)
            goto refuse;
        Py_DECREF(g);
    }
    else
        graph_n = 0;
    if (r->lines++ == 0) {
        r->graph = graph;
        r->graph_n = graph_n;
    }
    else if (graph_n != r->graph_n || (graph_n && memcmp(graph, r->graph, graph_n) != 0))
        r->canonical = 0;
    return 1;
refuse:
    Py_CLEAR(*s);
    Py_CLEAR(*p);
    Py_CLEAR(*o);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *
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

/* ---------------------------------------------------------------------------------------
 * run_end(buffer, start, suffix, limit) -> (end, lines)
 *
 * Where the run of lines from start (up to limit) that N-Quads readers may take whole as one
 * graph's stops, and how many lines it holds: each line starts with "<", ends with suffix
 * (" <graph> .\n") and has two spaces before it (four terms: "<s> <p> <graph> ." ends the
 * same way but has no graph). The same answer as kg.serialize.quads.reference_run_end.
 */
static PyObject *
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

/* The tail that ends a line written into b, and where the line ends noted in *ends (grown as
 * needed), for joined() to sort the lines by. */
static int
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

/* ---------------------------------------------------------------------------------------
 * turtle(data, tail) -> bytes | None
 *
 * One record of the Turtle kg writes (kg/serialize/turtle.py), with the file's @prefix lines
 * before it, as the N-Triples or N-Quads lines kg export writes for it: each line ending in
 * tail (" .\n", or " <graph> .\n"), sorted and without duplicates. Only that form is read:
 * statements of a subject on its own line, then "    verb object, object ;" lines ending in
 * " .", where a term is an absolute <IRI> (no escapes), a declared prefix with a plain local
 * name ([A-Za-z_][A-Za-z0-9_-]*), "a", a one-line "string" with N-Triples' escapes and an
 * optional @language or ^^datatype, an integer or true/false; blank lines and comments
 * between statements. None for anything else (blank nodes, lists, long strings, @base,
 * decimals, other spacing), which the caller hands to a full Turtle parser.
 */
#define MAX_PREFIXES 64

typedef struct {
    const char *name, *ns;
    Py_ssize_t name_n, ns_n;
} Prefix;

typedef struct {
    const char *a, *b; /* an IRI is a then b (a namespace and a local name, or b empty) */
    Py_ssize_t a_n, b_n;
} Iri;

typedef struct {
    const char *s;
    Py_ssize_t n, i;
    Prefix prefixes[MAX_PREFIXES];
    int count;
} Turtle;

static const char RDF_TYPE[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
static const char XSD_INTEGER[] = "http://www.w3.org/2001/XMLSchema#integer";
static const char XSD_BOOLEAN[] = "http://www.w3.org/2001/XMLSchema#boolean";

static int
at(Turtle *t, const char *text)
{
    Py_ssize_t k = (Py_ssize_t)strlen(text);
    if (t->i + k > t->n || memcmp(t->s + t->i, text, k) != 0)
        return 0;
    t->i += k;
    return 1;
}

static int
name_char(char c, int first)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'
        || (!first && ((c >= '0' && c <= '9') || c == '-'));
}

/* <IRI> (absolute, without escapes) or prefix:local, at t->i. */
static int
read_iri(Turtle *t, Iri *iri)
{
    const char *s = t->s;
    Py_ssize_t i = t->i, start;
    if (i < t->n && s[i] == '<') {
        const char *close = memchr(s + i + 1, '>', t->n - i - 1);
        if (close == NULL || !iri_ok(s + i + 1, close - s - i - 1))
            return 0;
        iri->a = s + i + 1;
        iri->a_n = close - s - i - 1;
        iri->b = NULL;
        iri->b_n = 0;
        t->i = close - s + 1;
        return 1;
    }
    start = i;
    if (i < t->n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
        for (i++; i < t->n && (name_char(s[i], 0) || s[i] == '.'); i++)
            ;
    if (i >= t->n || s[i] != ':' || (i > start && s[i - 1] == '.'))
        return 0;
    for (int k = 0; k < t->count; k++) {
        Prefix *p = &t->prefixes[k];
        if (p->name_n == i - start && memcmp(p->name, s + start, i - start) == 0) {
            Py_ssize_t local = ++i;
            if (i >= t->n || !name_char(s[i], 1))
                return 0;
            for (i++; i < t->n && name_char(s[i], 0); i++)
                ;
            iri->a = p->ns;
            iri->a_n = p->ns_n;
            iri->b = s + local;
            iri->b_n = i - local;
            t->i = i;
            return 1;
        }
    }
    return 0;
}

static int
put_iri_parts(Buffer *b, const Iri *iri)
{
    return put_bytes(b, "<", 1) < 0 || put_bytes(b, iri->a, iri->a_n) < 0
        || (iri->b_n && put_bytes(b, iri->b, iri->b_n) < 0) || put_bytes(b, ">", 1) < 0 ? -1 : 0;
}

/* An object at t->i, written into b as N-Triples writes it: 1, 0 to refuse, -1 on error. */
static int
put_object(Turtle *t, Buffer *b)
{
    const char *s = t->s;
    Py_ssize_t i = t->i;
    Iri iri;
    if (i < t->n && s[i] == '"') {
        Py_ssize_t start = i;
        if (i + 2 < t->n && s[i + 1] == '"' && s[i + 2] == '"')
            return 0;  /* a long string */
        for (i++; i < t->n && s[i] != '"'; i++) {
            char c = s[i];
            if (c == '\n' || c == '\r')
                return 0;
            if (c == '\\') {
                int digits = 0;
                if (i + 1 >= t->n)
                    return 0;
                c = s[++i];
                if (c == 'u')
                    digits = 4;
                else if (c == 'U')
                    digits = 8;
                else if (!strchr("tbnrf\"'\\", c))
                    return 0;
                for (int k = 0; k < digits; k++)
                    if (++i >= t->n || !isxdigit((unsigned char)s[i]))
                        return 0;
            }
        }
        if (i >= t->n)
            return 0;
        i++;
        if (put_bytes(b, s + start, i - start) < 0)
            return -1;
        t->i = i;
        if (i < t->n && s[i] == '@') {
            for (i++; i < t->n && (isalnum((unsigned char)s[i]) || s[i] == '-'); i++)
                ;
            if (!lang_ok(s + t->i + 1, i - t->i - 1))
                return 0;
            if (put_bytes(b, s + t->i, i - t->i) < 0)
                return -1;
            t->i = i;
        }
        else if (at(t, "^^")) {
            if (!read_iri(t, &iri))
                return 0;
            return put_bytes(b, "^^", 2) < 0 || put_iri_parts(b, &iri) < 0 ? -1 : 1;
        }
        return 1;
    }
    if (i < t->n && (s[i] == '<' || isalpha((unsigned char)s[i]))) {
        const char *word = NULL;
        if (at(t, "true"))
            word = "true";
        else if (at(t, "false"))
            word = "false";
        if (word != NULL && (t->i >= t->n || s[t->i] == ' ' || s[t->i] == ','))
            return put_bytes(b, "\"", 1) < 0 || put_bytes(b, word, strlen(word)) < 0
                || put_bytes(b, "\"^^<", 4) < 0
                || put_bytes(b, XSD_BOOLEAN, sizeof(XSD_BOOLEAN) - 1) < 0
                || put_bytes(b, ">", 1) < 0 ? -1 : 1;
        t->i = i;
        if (!read_iri(t, &iri))
            return 0;
        return put_iri_parts(b, &iri) < 0 ? -1 : 1;
    }
    if (i < t->n && (s[i] == '+' || s[i] == '-' || isdigit((unsigned char)s[i]))) {
        Py_ssize_t start = i;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (i >= t->n || !isdigit((unsigned char)s[i]))
            return 0;
        while (i < t->n && isdigit((unsigned char)s[i]))
            i++;
        if (i < t->n && s[i] != ' ' && s[i] != ',')
            return 0;  /* a decimal, a double, or not a number */
        t->i = i;
        return put_bytes(b, "\"", 1) < 0 || put_bytes(b, s + start, i - start) < 0
            || put_bytes(b, "\"^^<", 4) < 0
            || put_bytes(b, XSD_INTEGER, sizeof(XSD_INTEGER) - 1) < 0
            || put_bytes(b, ">", 1) < 0 ? -1 : 1;
    }
    return 0;
}

/* "@prefix name: <namespace> .\n" at t->i: 1, or 0. */
static int
read_prefix(Turtle *t)
{
    const char *s = t->s;
    Py_ssize_t i, start;
    Prefix *p;
    Iri ns;
    if (!at(t, "@prefix ") || t->count == MAX_PREFIXES)
        return 0;
    start = i = t->i;
    if (i < t->n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
        for (i++; i < t->n && (name_char(s[i], 0) || s[i] == '.'); i++)
            ;
    if (i >= t->n || s[i] != ':' || (i > start && s[i - 1] == '.'))
        return 0;
    p = &t->prefixes[t->count];
    p->name = s + start;
    p->name_n = i - start;
    t->i = i + 1;
    if (!at(t, " ") || t->i >= t->n || s[t->i] != '<' || !read_iri(t, &ns) || !at(t, " .\n"))
        return 0;
    p->ns = ns.a;
    p->ns_n = ns.a_n;
    for (int k = 0; k < t->count; k++)  /* declared again: the last one counts */
        if (t->prefixes[k].name_n == p->name_n
            && memcmp(t->prefixes[k].name, p->name, p->name_n) == 0) {
            t->prefixes[k] = *p;
            return 1;
        }
    t->count++;
    return 1;
}

static PyObject *
turtle(PyObject *self, PyObject *args)
{
    Py_buffer view, tail_view;
    Turtle t;
    Buffer b = {NULL, 0, 0, 0};
    Py_ssize_t *ends = NULL, count = 0, cap = 0;
    PyObject *result = NULL;
    int refused = 0;
    if (!PyArg_ParseTuple(args, "y*y*:turtle", &view, &tail_view))
        return NULL;
    t.s = view.buf;
    t.n = view.len;
    t.i = 0;
    t.count = 0;
    while (t.i < t.n && !refused) {
        Iri subject, verb;
        const char *c = t.s + t.i;
        if (*c == '\n') {
            t.i++;
            continue;
        }
        if (*c == '#') {
            const char *nl = memchr(c, '\n', t.n - t.i);
            t.i = nl ? nl - t.s + 1 : t.n;
            continue;
        }
        if (*c == '@') {
            refused = !read_prefix(&t);
            continue;
        }
        if (!read_iri(&t, &subject) || !at(&t, "\n    ")) {
            refused = 1;
            break;
        }
        for (;;) {  /* each verb of the subject */
            if (at(&t, "a ")) {
                verb.a = RDF_TYPE;
                verb.a_n = sizeof(RDF_TYPE) - 1;
                verb.b = NULL;
                verb.b_n = 0;
            }
            else if (!read_iri(&t, &verb) || !at(&t, " ")) {
                refused = 1;
                break;
            }
            for (;;) {  /* each object of the verb */
                int put;
                if (put_iri_parts(&b, &subject) < 0 || put_bytes(&b, " ", 1) < 0
                    || put_iri_parts(&b, &verb) < 0 || put_bytes(&b, " ", 1) < 0)
                    goto done;
                put = put_object(&t, &b);
                if (put < 0)
                    goto done;
                if (put == 0) {
                    refused = 1;
                    break;
                }
                if (end_line(&b, &tail_view, &ends, &count, &cap) < 0)
                    goto done;
                if (!at(&t, ", "))
                    break;
            }
            if (refused || !at(&t, " ;\n    "))
                break;
        }
        if (!refused && !at(&t, " .\n"))
            refused = 1;
    }
    if (refused)
        result = Py_None, Py_INCREF(Py_None);
    else
        result = joined(&b, ends, count, 1);
done:
    PyMem_Free(ends);
    PyMem_Free(b.data);
    PyBuffer_Release(&view);
    PyBuffer_Release(&tail_view);
    return result;
}

/* ---------------------------------------------------------------------------------------
 * jsonld(nodes, terms, vocab, tail) -> bytes | None
 *
 * The node objects of kg's JSON-LD (the "[...]" of its @graph) as the N-Triples or N-Quads
 * lines kg export writes for them, each ending in tail, sorted and without duplicates: the
 * same triples as kg.serialize.jsonld_terms.jsonld_triples, the reference, gives (the tests
 * hold the two to it). terms: the context's prefixes as (name, IRI) pairs of bytes; vocab:
 * its @vocab. Only the plain kind kg writes is read: flat nodes with "@id" first, "@type",
 * and properties whose values are strings, integers, booleans, {"@id": ...}, or {"@value":
 * ..., "@type" | "@language": ...}; None for anything else (which the caller hands on).
 */
#define MAX_TERMS 64

typedef struct {
    const char *s;
    Py_ssize_t n, i;
    const char *names[MAX_TERMS], *iris[MAX_TERMS];
    Py_ssize_t name_n[MAX_TERMS], iri_n[MAX_TERMS];
    int count;
    const char *vocab;
    Py_ssize_t vocab_n;
    Buffer text; /* the string read last, its escapes undone (UTF-8) */
    Buffer iri;  /* an IRI expanded */
} Json;

static void
json_space(Json *j)
{
    while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\n' || j->s[j->i] == '\t'
                           || j->s[j->i] == '\r'))
        j->i++;
}

static int
json_char(Json *j, char c)
{
    json_space(j);
    if (j->i < j->n && j->s[j->i] == c) {
        j->i++;
        return 1;
    }
    return 0;
}

/* A JSON string at j->i into j->text, its escapes undone: 1, 0 to refuse, -1 on error. */
static int
json_string(Json *j)
{
    const char *s = j->s;
    Py_ssize_t i;
    j->text.len = 0;
    json_space(j);
    if (j->i >= j->n || s[j->i] != '"')
        return 0;
    i = j->i + 1;
    for (;;) {
        Py_ssize_t run = i;
        while (i < j->n && s[i] != '"' && s[i] != '\\' && (unsigned char)s[i] >= 0x20)
            i++;
        if (put_bytes(&j->text, s + run, i - run) < 0)
            return -1;
        if (i >= j->n || (unsigned char)s[i] < 0x20)
            return 0;
        if (s[i] == '"')
            break;
        if (i + 1 >= j->n)
            return 0;
        {
            char c = s[i + 1], one;
            Py_UCS4 v;
            char utf8[4];
            int k = 0;
            switch (c) {
            case '"': one = '"'; break;
            case '\\': one = '\\'; break;
            case '/': one = '/'; break;
            case 'b': one = '\b'; break;
            case 'f': one = '\f'; break;
            case 'n': one = '\n'; break;
            case 'r': one = '\r'; break;
            case 't': one = '\t'; break;
            case 'u': one = 0; break;
            default: return 0;
            }
            if (c != 'u') {
                if (put_bytes(&j->text, &one, 1) < 0)
                    return -1;
                i += 2;
                continue;
            }
            if (i + 6 > j->n || !hex_value(s + i + 2, 4, &v))
                return 0;
            i += 6;
            if (v >= 0xD800 && v <= 0xDBFF) {  /* a surrogate pair, or refuse */
                Py_UCS4 low;
                if (i + 6 > j->n || s[i] != '\\' || s[i + 1] != 'u'
                    || !hex_value(s + i + 2, 4, &low) || low < 0xDC00 || low > 0xDFFF)
                    return 0;
                v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            }
            else if (v >= 0xDC00 && v <= 0xDFFF)
                return 0;
            if (v < 0x80)
                utf8[k++] = (char)v;
            else if (v < 0x800) {
                utf8[k++] = (char)(0xC0 | (v >> 6));
                utf8[k++] = (char)(0x80 | (v & 0x3F));
            }
            else if (v < 0x10000) {
                utf8[k++] = (char)(0xE0 | (v >> 12));
                utf8[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
                utf8[k++] = (char)(0x80 | (v & 0x3F));
            }
            else {
                utf8[k++] = (char)(0xF0 | (v >> 18));
                utf8[k++] = (char)(0x80 | ((v >> 12) & 0x3F));
                utf8[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
                utf8[k++] = (char)(0x80 | (v & 0x3F));
            }
            if (put_bytes(&j->text, utf8, k) < 0)
                return -1;
        }
    }
    j->i = i + 1;
    return 1;
}

static int
text_is(Json *j, const char *word)
{
    Py_ssize_t k = (Py_ssize_t)strlen(word);
    return j->text.len == k && memcmp(j->text.data, word, k) == 0;
}

/* j->text expanded as an IRI into j->iri: relative to the vocabulary (terms first) or to the
 * document (compact IRIs and absolute ones only). 1, 0 to refuse, -1 on error. */
static int
json_iri(Json *j, int vocab)
{
    const char *t = j->text.data;
    Py_ssize_t n = j->text.len, colon;
    j->iri.len = 0;
    if (vocab)
        for (int k = 0; k < j->count; k++)
            if (j->name_n[k] == n && memcmp(j->names[k], t, n) == 0) {
                if (put_bytes(&j->iri, j->iris[k], j->iri_n[k]) < 0)
                    return -1;
                return 1;
            }
    for (colon = 0; colon < n && t[colon] != ':'; colon++)
        ;
    if (colon < n) {
        int done = 0;
        if (colon == 1 && t[0] == '_')
            return 0;  /* a blank node */
        if (!(n - colon > 2 && t[colon + 1] == '/' && t[colon + 2] == '/'))
            for (int k = 0; k < j->count && !done; k++)
                if (j->name_n[k] == colon && memcmp(j->names[k], t, colon) == 0) {
                    if (put_bytes(&j->iri, j->iris[k], j->iri_n[k]) < 0
                        || put_bytes(&j->iri, t + colon + 1, n - colon - 1) < 0)
                        return -1;
                    done = 1;
                }
        if (!done && put_bytes(&j->iri, t, n) < 0)
            return -1;
    }
    else if (vocab) {
        if (put_bytes(&j->iri, j->vocab, j->vocab_n) < 0 || put_bytes(&j->iri, t, n) < 0)
            return -1;
    }
    else
        return 0;  /* a relative IRI */
    return iri_ok(j->iri.data, j->iri.len);
}

static int
put_json_iri(Buffer *b, Json *j)
{
    return put_bytes(b, "<", 1) < 0 || put_bytes(b, j->iri.data, j->iri.len) < 0
        || put_bytes(b, ">", 1) < 0 ? -1 : 0;
}

/* One value of a property at j->i, written as an N-Triples object: 1, 0, -1. */
static int
json_value(Json *j, Buffer *b)
{
    const char *s = j->s;
    int read;
    json_space(j);
    if (j->i >= j->n)
        return 0;
    if (s[j->i] == '"') {
        if ((read = json_string(j)) <= 0)
            return read;
        return put_escaped(b, j->text.data, j->text.len) < 0 ? -1 : 1;
    }
    if (s[j->i] == 't' || s[j->i] == 'f') {
        const char *word = s[j->i] == 't' ? "true" : "false";
        Py_ssize_t k = (Py_ssize_t)strlen(word);
        if (j->i + k > j->n || memcmp(s + j->i, word, k) != 0)
            return 0;
        j->i += k;
        return put_bytes(b, "\"", 1) < 0 || put_bytes(b, word, k) < 0
            || put_bytes(b, "\"^^<", 4) < 0
            || put_bytes(b, XSD_BOOLEAN, sizeof(XSD_BOOLEAN) - 1) < 0
            || put_bytes(b, ">", 1) < 0 ? -1 : 1;
    }
    if (s[j->i] == '-' || (s[j->i] >= '0' && s[j->i] <= '9')) {
        Py_ssize_t start = j->i, i = j->i;
        if (s[i] == '-')
            i++;
        if (i >= j->n || !isdigit((unsigned char)s[i]) || (s[i] == '0' && start != i))
            return 0;  /* -0, or not a number */
        if (s[i] == '0' && i + 1 < j->n && isdigit((unsigned char)s[i + 1]))
            return 0;
        while (i < j->n && isdigit((unsigned char)s[i]))
            i++;
        if ((i < j->n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) || i - start > 20)
            return 0;  /* a double in JSON-LD, or too long to be sure of */
        j->i = i;
        return put_bytes(b, "\"", 1) < 0 || put_bytes(b, s + start, i - start) < 0
            || put_bytes(b, "\"^^<", 4) < 0
            || put_bytes(b, XSD_INTEGER, sizeof(XSD_INTEGER) - 1) < 0
            || put_bytes(b, ">", 1) < 0 ? -1 : 1;
    }
    if (s[j->i] == '{') {
        j->i++;
        if ((read = json_string(j)) <= 0)
            return read;
        if (text_is(j, "@id")) {
            if (!json_char(j, ':') || (read = json_string(j)) <= 0)
                return read < 0 ? -1 : 0;
            if ((read = json_iri(j, 0)) <= 0)
                return read;
            if (!json_char(j, '}'))
                return 0;
            return put_json_iri(b, j) < 0 ? -1 : 1;
        }
        if (!text_is(j, "@value") || !json_char(j, ':') || (read = json_string(j)) <= 0)
            return read < 0 ? -1 : 0;
        if (put_escaped(b, j->text.data, j->text.len) < 0)
            return -1;
        if (json_char(j, '}'))
            return 1;
        if (!json_char(j, ',') || (read = json_string(j)) <= 0)
            return read < 0 ? -1 : 0;
        if (text_is(j, "@type")) {
            if (!json_char(j, ':') || (read = json_string(j)) <= 0)
                return read < 0 ? -1 : 0;
            if ((read = json_iri(j, 1)) <= 0)
                return read;
            if (!json_char(j, '}'))
                return 0;
            return put_bytes(b, "^^", 2) < 0 || put_json_iri(b, j) < 0 ? -1 : 1;
        }
        if (text_is(j, "@language")) {
            if (!json_char(j, ':') || (read = json_string(j)) <= 0)
                return read < 0 ? -1 : 0;
            for (Py_ssize_t k = 0; k < j->text.len; k++)
                if (j->text.data[k] >= 'A' && j->text.data[k] <= 'Z')
                    return 0;  /* as the reference: lower case only */
            if (!lang_ok(j->text.data, j->text.len) || !json_char(j, '}'))
                return 0;
            return put_bytes(b, "@", 1) < 0
                || put_bytes(b, j->text.data, j->text.len) < 0 ? -1 : 1;
        }
        return 0;
    }
    return 0;
}

static PyObject *
jsonld(PyObject *self, PyObject *args)
{
    Py_buffer view, vocab_view, tail_view;
    PyObject *terms, *items = NULL, *result = NULL;
    Json j;
    Buffer b = {NULL, 0, 0, 0}, subject = {NULL, 0, 0, 0}, predicate = {NULL, 0, 0, 0};
    Buffer keys = {NULL, 0, 0, 0}; /* the node's keys so far, each ending in a zero byte */
    Py_ssize_t *ends = NULL, count = 0, cap = 0;
    int refused = 0, read;
    if (!PyArg_ParseTuple(args, "y*Oy*y*:jsonld", &view, &terms, &vocab_view, &tail_view))
        return NULL;
    memset(&j, 0, sizeof(j));
    j.s = view.buf;
    j.n = view.len;
    j.vocab = vocab_view.buf;
    j.vocab_n = vocab_view.len;
    items = PySequence_Fast(terms, "jsonld: terms must be (name, IRI) pairs");
    if (items == NULL)
        goto done;
    if (PySequence_Fast_GET_SIZE(items) > MAX_TERMS)
        refused = 1;
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(items) && !refused; k++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(items, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2
            || !PyBytes_Check(PyTuple_GET_ITEM(pair, 0))
            || !PyBytes_Check(PyTuple_GET_ITEM(pair, 1))) {
            PyErr_SetString(PyExc_TypeError, "jsonld: terms must be (name, IRI) pairs of bytes");
            goto done;
        }
        j.names[k] = PyBytes_AS_STRING(PyTuple_GET_ITEM(pair, 0));
        j.name_n[k] = PyBytes_GET_SIZE(PyTuple_GET_ITEM(pair, 0));
        j.iris[k] = PyBytes_AS_STRING(PyTuple_GET_ITEM(pair, 1));
        j.iri_n[k] = PyBytes_GET_SIZE(PyTuple_GET_ITEM(pair, 1));
        j.count++;
    }
    if (!refused && !json_char(&j, '['))
        refused = 1;
    if (!refused && json_char(&j, ']'))
        goto finish;
    while (!refused) {  /* each node */
        if (!json_char(&j, '{') || (read = json_string(&j)) <= 0 || !text_is(&j, "@id")
            || !json_char(&j, ':') || (read = json_string(&j)) <= 0
            || (read = json_iri(&j, 0)) <= 0) {
            if (PyErr_Occurred())
                goto done;
            refused = 1;
            break;
        }
        subject.len = 0;
        keys.len = 0;
        if (put_json_iri(&subject, &j) < 0)
            goto done;
        while (!refused && json_char(&j, ',')) {  /* each key */
            int type, list;
            if ((read = json_string(&j)) <= 0 || !json_char(&j, ':')
                || (j.text.len && memchr(j.text.data, 0, j.text.len) != NULL)) {
                refused = 1;
                break;
            }
            /* a key twice: JSON readers keep the last value only */
            for (Py_ssize_t at = 0; at < keys.len; at += strlen(keys.data + at) + 1)
                if ((Py_ssize_t)strlen(keys.data + at) == j.text.len
                    && memcmp(keys.data + at, j.text.data, j.text.len) == 0)
                    refused = 1;
            if (refused || put_bytes(&keys, j.text.data, j.text.len) < 0
                || put_bytes(&keys, "", 1) < 0) {
                if (PyErr_Occurred())
                    goto done;
                break;
            }
            type = text_is(&j, "@type");
            if (!type && j.text.len > 0 && j.text.data[0] == '@') {
                refused = 1;
                break;
            }
            predicate.len = 0;
            if (type) {
                if (put_bytes(&predicate, "<", 1) < 0
                    || put_bytes(&predicate, RDF_TYPE, sizeof(RDF_TYPE) - 1) < 0
                    || put_bytes(&predicate, ">", 1) < 0)
                    goto done;
            }
            else {
                if ((read = json_iri(&j, 1)) <= 0) {
                    refused = 1;
                    break;
                }
                if (put_json_iri(&predicate, &j) < 0)
                    goto done;
            }
            list = json_char(&j, '[');
            if (list && json_char(&j, ']'))
                continue;
            do {  /* each value */
                if (put_bytes(&b, subject.data, subject.len) < 0 || put_bytes(&b, " ", 1) < 0
                    || put_bytes(&b, predicate.data, predicate.len) < 0
                    || put_bytes(&b, " ", 1) < 0)
                    goto done;
                if (type) {
                    read = json_string(&j);
                    if (read > 0)
                        read = json_iri(&j, 1);
                    if (read > 0 && put_json_iri(&b, &j) < 0)
                        goto done;
                }
                else
                    read = json_value(&j, &b);
                if (read < 0)
                    goto done;
                if (read == 0) {
                    refused = 1;
                    break;
                }
                if (end_line(&b, &tail_view, &ends, &count, &cap) < 0)
                    goto done;
            } while (list && json_char(&j, ','));
            if (!refused && list && !json_char(&j, ']'))
                refused = 1;
        }
        if (refused || !json_char(&j, '}')) {
            refused = 1;
            break;
        }
        if (json_char(&j, ']'))
            break;
        if (!json_char(&j, ','))
            refused = 1;
    }
finish:
    json_space(&j);
    if (refused || j.i != j.n)
        result = Py_None, Py_INCREF(Py_None);
    else
        result = joined(&b, ends, count, 1);
done:
    Py_XDECREF(items);
    PyMem_Free(ends);
    PyMem_Free(b.data);
    PyMem_Free(subject.data);
    PyMem_Free(predicate.data);
    PyMem_Free(keys.data);
    PyMem_Free(j.text.data);
    PyMem_Free(j.iri.data);
    PyBuffer_Release(&view);
    PyBuffer_Release(&vocab_view);
    PyBuffer_Release(&tail_view);
    return result;
}

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
    {"index", index_lines, METH_VARARGS,
     "index(data, literal, pairs) -> (spo, typed) | None: the validation engine's index of "
     "strictly rising lines in the form split reads, or None."},
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
