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
#include "lines.h"
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
    if (n > 0 && t[0] == '@')
        return 0;  /* a keyword's form ("@ENPostalAddress"): processors drop it, so no IRI */
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

PyObject *
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

