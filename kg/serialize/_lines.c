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

/* A literal's quoted text with its escapes undone; NULL with no error set where it holds a
 * quote not escaped, a backslash that starts no escape, or a code point past U+10FFFF. The text
 * is unescaped into UTF-8 bytes and decoded once (surrogates from \uD800-style escapes pass, as
 * Python's chr gives them). */
static PyObject *
lexical_form(const char *s, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    char *out, *w;
    PyObject *result;
    if (memchr(s, '\\', n) == NULL) {
        if (memchr(s, '"', n) != NULL)
            return NULL;
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
            *w++ = c;
            i++;
            continue;
        }
        if (i + 1 >= n)
            goto refuse;
        switch (s[i + 1]) {
        case 't': *w++ = '\t'; i += 2; continue;
        case 'b': *w++ = '\b'; i += 2; continue;
        case 'n': *w++ = '\n'; i += 2; continue;
        case 'r': *w++ = '\r'; i += 2; continue;
        case 'f': *w++ = '\f'; i += 2; continue;
        case '"': *w++ = '"'; i += 2; continue;
        case '\'': *w++ = '\''; i += 2; continue;
        case '\\': *w++ = '\\'; i += 2; continue;
        case 'u':
            if (i + 6 > n || !hex_value(s + i + 2, 4, &v))
                goto refuse;
            i += 6;
            break;
        case 'U':
            if (i + 10 > n || !hex_value(s + i + 2, 8, &v) || v > 0x10FFFF)
                goto refuse;
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
    PyTypeObject *type = (PyTypeObject *)literal_type;
    PyObject *o;
    if (!PyType_Check(literal_type) || !PyType_IsSubtype(type, &PyTuple_Type)) {
        Py_DECREF(lexical);
        PyErr_SetString(PyExc_TypeError, "split: literal must be a tuple type");
        return NULL;
    }
    o = type->tp_alloc(type, 3);
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

static PyObject *
split(PyObject *self, PyObject *args)
{
    PyObject *text, *literal_type, *found = NULL, *cache = NULL, *tails = NULL;
    const char *data;
    Py_ssize_t size, pos = 0;
    if (!PyArg_ParseTuple(args, "UO:split", &text, &literal_type))
        return NULL;
    data = PyUnicode_AsUTF8AndSize(text, &size);
    if (data == NULL)
        return NULL;
    found = PyList_New(0);
    cache = PyDict_New();
    tails = PyDict_New();
    if (found == NULL || cache == NULL || tails == NULL)
        goto error;
    while (pos < size) {
        const char *line = data + pos, *nl = memchr(line, '\n', size - pos);
        Py_ssize_t n = nl ? nl - line : size - pos;
        const char *sp1, *sp2, *rest;
        Py_ssize_t rest_n;
        PyObject *s = NULL, *p = NULL, *o = NULL, *triple;
        pos += n + 1;
        if (n == 0)
            continue;
        if (n < 2 || line[n - 2] != ' ' || line[n - 1] != '.')
            goto refuse;
        n -= 2;
        sp1 = memchr(line, ' ', n);
        if (sp1 == NULL)
            goto refuse;
        s = iri_term(cache, line, sp1 - line);
        if (s == NULL)
            goto refuse_or_error;
        sp2 = memchr(sp1 + 1, ' ', n - (sp1 + 1 - line));
        if (sp2 == NULL) {
            Py_DECREF(s);
            goto refuse;
        }
        p = iri_term(cache, sp1 + 1, sp2 - sp1 - 1);
        if (p == NULL) {
            Py_DECREF(s);
            goto refuse_or_error;
        }
        rest = sp2 + 1;
        rest_n = n - (rest - line);
        {
            const char *graph = NULL;
            Py_ssize_t graph_n = 0;
            if (rest_n > 0 && rest[0] == '"') {
                const char *close = rest + rest_n - 1, *tail, *space;
                Py_ssize_t tail_n;
                PyObject *kind, *lexical, *key;
                while (close > rest && *close != '"')
                    close--;
                if (close == rest)
                    goto refuse_sp;
                tail = close + 1;
                space = memchr(tail, ' ', rest + rest_n - tail);
                tail_n = space ? space - tail : rest + rest_n - tail;
                if (space) {
                    graph = space + 1;
                    graph_n = rest + rest_n - graph;
                }
                key = PyBytes_FromStringAndSize(tail, tail_n);
                if (key == NULL)
                    goto error_sp;
                kind = PyDict_GetItemWithError(tails, key);
                if (kind == NULL) {
                    if (PyErr_Occurred()) {
                        Py_DECREF(key);
                        goto error_sp;
                    }
                    if (tail_n == 0)
                        kind = Py_BuildValue("(sO)", XSD_STRING, Py_None);
                    else if (tail_n > 4 && tail[0] == '^' && tail[1] == '^' && tail[2] == '<'
                             && tail[tail_n - 1] == '>' && iri_ok(tail + 3, tail_n - 4))
                        kind = Py_BuildValue("(s#O)", tail + 3, tail_n - 4, Py_None);
                    else if (tail_n > 1 && tail[0] == '@' && lang_ok(tail + 1, tail_n - 1))
                        kind = Py_BuildValue("(ss#)", LANG_STRING, tail + 1, tail_n - 1);
                    else
                        kind = Py_None, Py_INCREF(Py_None);
                    if (kind == NULL || PyDict_SetItem(tails, key, kind) < 0) {
                        Py_DECREF(key);
                        Py_XDECREF(kind);
                        goto error_sp;
                    }
                    Py_DECREF(kind);  /* the dict holds it */
                }
                Py_DECREF(key);
                if (kind == Py_None)
                    goto refuse_sp;
                lexical = lexical_form(rest + 1, close - rest - 1);
                if (lexical == NULL) {
                    if (PyErr_Occurred())
                        goto error_sp;
                    goto refuse_sp;
                }
                o = make_literal(literal_type, lexical, PyTuple_GET_ITEM(kind, 0),
                                 PyTuple_GET_ITEM(kind, 1));
                if (o == NULL)
                    goto error_sp;
            }
            else {
                const char *space = memchr(rest, ' ', rest_n);
                Py_ssize_t obj_n = space ? space - rest : rest_n;
                if (space) {
                    graph = space + 1;
                    graph_n = rest + rest_n - graph;
                }
                o = iri_term(cache, rest, obj_n);
                if (o == NULL) {
                    if (PyErr_Occurred())
                        goto error_sp;
                    goto refuse_sp;
                }
            }
            if (graph != NULL && graph_n > 0) {
                PyObject *g = iri_term(cache, graph, graph_n);
                if (g == NULL) {
                    Py_DECREF(o);
                    if (PyErr_Occurred())
                        goto error_sp;
                    goto refuse_sp;
                }
                Py_DECREF(g);
            }
        }
        triple = PyTuple_Pack(3, s, p, o);
        Py_DECREF(s);
        Py_DECREF(p);
        Py_DECREF(o);
        if (triple == NULL || PyList_Append(found, triple) < 0) {
            Py_XDECREF(triple);
            goto error;
        }
        Py_DECREF(triple);
        continue;
    refuse_sp:
        Py_DECREF(s);
        Py_DECREF(p);
        goto refuse;
    error_sp:
        Py_DECREF(s);
        Py_DECREF(p);
        goto error;
    refuse_or_error:
        if (PyErr_Occurred())
            goto error;
        goto refuse;
    }
    Py_DECREF(cache);
    Py_DECREF(tails);
    return found;
refuse:
    Py_XDECREF(found);
    Py_XDECREF(cache);
    Py_XDECREF(tails);
    Py_RETURN_NONE;
error:
    Py_XDECREF(found);
    Py_XDECREF(cache);
    Py_XDECREF(tails);
    return NULL;
}

static PyMethodDef METHODS[] = {
    {"lines", lines, METH_VARARGS,
     "lines(triples, tail) -> str: every triple as a line ending in tail, sorted and without "
     "duplicates (the same text as kg.serialize.ntriples.reference_lines)."},
    {"split", split, METH_VARARGS,
     "split(text, literal) -> list | None: the triples of N-Triples or N-Quads lines in the "
     "form kg writes, or None (the same answer as kg.serialize.quads.reference_triples)."},
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
