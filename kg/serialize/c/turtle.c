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
#include "lines.h"
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

PyObject *
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

