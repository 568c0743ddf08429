/* The N-Triples / N-Quads line reader: a line in the form kg writes split into kg's term
 * encoding (IRIs as str, literals as kg.rdf.Literal), or refused. split() and the validation
 * index read lines through it. */
#include "lines.h"

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

/* Whether a byte STRING_ESCAPE marks may stand unescaped where kg's writer writes it: the
 * quote and backslash are handled by the caller; the lead bytes 0xc2 and 0xe2 may, except as
 * U+0085, U+2028 or U+2029; control characters (but the tab) may not. */
int
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
int
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
 * quote not escaped, a backslash that starts no escape, a surrogate (\uD83D: half a character)
 * or a code point past U+10FFFF. The text is unescaped into UTF-8 bytes and decoded once. *canonical is cleared where the text is not exactly what kg's
 * writer (put_string) writes for that lexical form, so that another spelling of it could be on
 * another line. */
PyObject *
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
            if (i + 6 > n || !hex_value(s + i + 2, 4, &v) || (v >= 0xD800 && v <= 0xDFFF))
                goto refuse;  /* half a character: no character, as Oxigraph says */
            if (!u_escape_ok(s + i + 2, v))
                *canonical = 0;
            i += 6;
            break;
        case 'U':
            if (i + 10 > n || !hex_value(s + i + 2, 8, &v) || v > 0x10FFFF
                || (v >= 0xD800 && v <= 0xDFFF))
                goto refuse;
            *canonical = 0;
            i += 10;
            break;
        default:
            goto refuse;
        }
        /* the code point as UTF-8 */
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
PyObject *
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


int
reader_init(Reader *r, PyObject *literal_type)
{
    memset(r, 0, sizeof(Reader));
    r->literal_type = literal_type;
    r->canonical = 1;
    r->cache = PyDict_New();
    r->tails = PyDict_New();
    return r->cache != NULL && r->tails != NULL ? 0 : -1;
}

void
reader_free(Reader *r)
{
    Py_XDECREF(r->cache);
    Py_XDECREF(r->tails);
}

/* A subject or predicate token: the one of the line before where the bytes are the same. */
PyObject *
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
PyObject *
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
int
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
