/* The cells of a worksheet's <sheetData>, read in one pass: the scanner of the fast XLSX
 * path (sampling/frame_xlsx.py).
 *
 * A Scanner reads the worksheet's rows as they are unpacked, a run of whole rows at a time,
 * in order. For each cell it checks the element exactly against the few shapes spreadsheet
 * programs write:
 *
 *     <row r="7" any="attributes">  ...cells...  </row>      or  <row r="7" .../>
 *     <c r="B7" s="3" t="s"/>                                    an empty cell
 *     <c r="B7" s="3" t="s|n"> <v>value</v> </c>                 a shared string or a number
 *     <c r="B7" s="3" t="inlineStr"> <is> <t>text</t> </is> </c>
 *     <c r="B7" t="inlineStr"><is><t xml:space="preserve">text</t></is></c>
 *     <c r="B7" t="inlineStr"><is><t/></is></c>  and  <c r="B7"></c>   empty cells
 *
 * with XML white space allowed between tags, cell references equal to their row's number,
 * rows and cells in strictly increasing order. Anything else (a formula, another cell type,
 * another attribute, a comment, a namespace prefix, ...) makes scan() raise ValueError with
 * what it met, and the fast path leaves the workbook to calamine.
 *
 * Each cell's value (the bytes between <v> and </v>, or <t> and </t>) is coded per column by
 * distinct (kind, bytes) in a hash table, so Python decodes each distinct value once; the
 * distinct values are copied, each followed by a NUL byte, into the column's arena (a NUL
 * inside a value is refused). Code 0 is a missing or empty cell. Nothing here decodes text:
 * entities, numbers and shared-string indices are turned into text in Python.
 *
 * The scan runs without the GIL; one Scanner must be used by one thread at a time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 16384 /* XFD, Excel's last column */
#define MAX_STYLES 65536

enum { BLANK = 0, SHARED = 1, NUMBER = 2, INLINE = 3, INLINE_KEPT = 4 };
/* What Python must look at in a value before taking its bytes as its text; DIGITS: 1 to 15
 * digits without a leading zero (or "0"), a number whose text is its bytes. */
enum { AMPERSAND = 1, EXCEL_ESCAPE = 2, EDGE_SPACE = 4, DIGITS = 8 };

typedef struct {
    int64_t start; /* in the arena */
    int32_t length;
    int8_t kind, flags;
} Value;

typedef struct {
    int32_t *codes;   /* code of each row's cell (index of the <row>); 0: none or empty */
    Value *values;    /* values[code - 1] */
    uint64_t *hashes; /* hash of values[code - 1] */
    Py_ssize_t n_values, values_capacity;
    uint8_t *arena; /* the values' bytes, each followed by a NUL */
    Py_ssize_t arena_size, arena_capacity;
    uint64_t *slots; /* open addressing: hash's high half << 32 | code, 0 when free */
    Py_ssize_t n_slots;
} Column;

#define MAX_TAIL 48
#define TAILS 64

/* A cell's attributes after its reference, up to '>' or '/>', and what they say. */
typedef struct {
    uint8_t bytes[MAX_TAIL];
    Py_ssize_t length;
    int64_t kind, style;
    int closed;
} Tail;

typedef struct {
    PyObject_HEAD
    Column *columns[MAX_COLUMNS];
    int width; /* 1 + the last column with a value */
    int64_t *rows; /* r of each <row> */
    Py_ssize_t n_rows, rows_capacity;
    uint8_t styles[MAX_STYLES]; /* styles of number cells met */
    const char *error;
    Py_ssize_t error_at;
    /* the last tail read in each column (modulo TAILS): the next cell of the column almost
     * always has the same */
    Tail tails[TAILS];
} Scanner;

/* --- small helpers ---------------------------------------------------------------------- */

static inline int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static inline int starts(const uint8_t *p, const uint8_t *end, const char *literal, size_t n) {
    return (size_t)(end - p) >= n && memcmp(p, literal, n) == 0;
}
#define STARTS(p, end, literal) starts((p), (end), (literal), sizeof(literal) - 1)

static inline const uint8_t *skip_space(const uint8_t *p, const uint8_t *end) {
    while (p < end && is_space(*p)) p++;
    return p;
}

static inline uint64_t load_word(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t mix(uint64_t h) { /* MurmurHash3's finaliser */
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

/* The hash of n bytes at p; the 8 bytes from p + n - n % 8 must be readable. */
static uint64_t hash_bytes(const uint8_t *p, Py_ssize_t n, int kind) {
    uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t)(kind + 1) ^ (uint64_t)n;
    for (; n >= 8; p += 8, n -= 8) {
        h ^= load_word(p);
        h = (h << 27 | h >> 37) * 0x9E3779B97F4A7C15ULL;
    }
    uint64_t w = n ? load_word(p) & (~0ULL >> (64 - 8 * n)) : 0; /* little-endian */
    return mix(h ^ w);
}

static inline int same_bytes(const uint8_t *a, const uint8_t *b, Py_ssize_t n) {
    for (; n >= 8; a += 8, b += 8, n -= 8)
        if (load_word(a) != load_word(b)) return 0;
    for (; n > 0; n--)
        if (*a++ != *b++) return 0;
    return 1;
}

/* --- columns ---------------------------------------------------------------------------- */

static void column_free(Column *c) {
    if (c == NULL) return;
    free(c->codes);
    free(c->values);
    free(c->hashes);
    free(c->arena);
    free(c->slots);
    free(c);
}

static Column *column_new(Py_ssize_t rows_capacity) {
    Column *c = calloc(1, sizeof(Column));
    if (c == NULL) return NULL;
    c->codes = calloc((size_t)rows_capacity, sizeof(int32_t));
    c->n_slots = 64;
    c->slots = calloc((size_t)c->n_slots, sizeof(uint64_t));
    if (c->codes == NULL || c->slots == NULL) {
        column_free(c);
        return NULL;
    }
    return c;
}

static int column_grow_slots(Column *c) {
    Py_ssize_t n = c->n_slots * 2;
    uint64_t *slots = calloc((size_t)n, sizeof(uint64_t));
    if (slots == NULL) return -1;
    for (Py_ssize_t i = 0; i < c->n_values; i++) {
        Py_ssize_t s = (Py_ssize_t)(c->hashes[i] & (uint64_t)(n - 1));
        while (slots[s]) s = (s + 1) & (n - 1);
        slots[s] = (c->hashes[i] & 0xFFFFFFFF00000000ULL) | (uint64_t)(i + 1);
    }
    free(c->slots);
    c->slots = slots;
    c->n_slots = n;
    return 0;
}

/* Code of (kind, bytes), added when new; -1 when out of memory, -2 for a NUL byte. The 8
 * bytes after the value must be readable (a value is followed by its end tag and more). */
static int32_t column_code(Column *c, const uint8_t *bytes, Py_ssize_t length, int kind) {
    uint64_t h = hash_bytes(bytes, length, kind);
    Py_ssize_t mask = c->n_slots - 1, s = (Py_ssize_t)(h & (uint64_t)mask);
    uint64_t tag = h & 0xFFFFFFFF00000000ULL;
    for (;;) {
        uint64_t slot = c->slots[s];
        if (slot == 0) break;
        if ((slot & 0xFFFFFFFF00000000ULL) == tag) {
            int32_t code = (int32_t)(slot & 0xFFFFFFFFULL);
            Value *v = &c->values[code - 1];
            if (v->kind == kind && v->length == length &&
                same_bytes(c->arena + v->start, bytes, length))
                return code;
        }
        s = (s + 1) & mask;
    }
    if (memchr(bytes, 0, (size_t)length) != NULL) return -2;
    if (c->n_values >= INT32_MAX - 1 || length >= INT32_MAX) return -1;
    if (c->arena_size + length + 1 > c->arena_capacity) {
        Py_ssize_t n = c->arena_capacity ? c->arena_capacity : 4096;
        while (n < c->arena_size + length + 1) n *= 2;
        uint8_t *arena = realloc(c->arena, (size_t)n);
        if (arena == NULL) return -1;
        c->arena = arena;
        c->arena_capacity = n;
    }
    int64_t start = c->arena_size;
    memcpy(c->arena + start, bytes, (size_t)length);
    c->arena[start + length] = 0;
    c->arena_size += length + 1;
    if (c->n_values == c->values_capacity) {
        Py_ssize_t n = c->values_capacity ? c->values_capacity * 2 : 64;
        Value *values = realloc(c->values, (size_t)n * sizeof(Value));
        if (values == NULL) return -1;
        c->values = values;
        uint64_t *hashes = realloc(c->hashes, (size_t)n * sizeof(uint64_t));
        if (hashes == NULL) return -1;
        c->hashes = hashes;
        c->values_capacity = n;
    }
    int32_t code = (int32_t)(c->n_values + 1);
    int flags = 0;
    if (memchr(bytes, '&', (size_t)length) != NULL) flags |= AMPERSAND;
    for (const uint8_t *u = bytes; (u = memchr(u, '_', (size_t)(bytes + length - u))) != NULL;)
        if (++u < bytes + length && *u == 'x') {
            flags |= EXCEL_ESCAPE; /* _xHHHH_ */
            break;
        }
    if (length && (is_space(bytes[0]) || is_space(bytes[length - 1]))) flags |= EDGE_SPACE;
    if (length >= 1 && length <= 15 && (bytes[0] != '0' || length == 1)) {
        Py_ssize_t i = 0;
        while (i < length && bytes[i] >= '0' && bytes[i] <= '9') i++;
        if (i == length) flags |= DIGITS;
    }
    c->values[c->n_values] = (Value){start, (int32_t)length, (int8_t)kind, (int8_t)flags};
    c->hashes[c->n_values] = h;
    c->n_values++;
    c->slots[s] = tag | (uint64_t)code;
    if (c->n_values * 2 > c->n_slots && column_grow_slots(c) < 0) return -1;
    return code;
}

/* --- the scan --------------------------------------------------------------------------- */

static int add_row(Scanner *self, int64_t r) {
    if (self->n_rows == self->rows_capacity) {
        Py_ssize_t n = self->rows_capacity ? self->rows_capacity * 2 : 1024;
        int64_t *rows = realloc(self->rows, (size_t)n * sizeof(int64_t));
        if (rows == NULL) return -1;
        self->rows = rows;
        for (int j = 0; j < self->width; j++) {
            Column *c = self->columns[j];
            if (c == NULL) continue;
            int32_t *codes = realloc(c->codes, (size_t)n * sizeof(int32_t));
            if (codes == NULL) return -1;
            memset(codes + self->rows_capacity, 0,
                   (size_t)(n - self->rows_capacity) * sizeof(int32_t));
            c->codes = codes;
        }
        self->rows_capacity = n;
    }
    self->rows[self->n_rows++] = r;
    return 0;
}

/* The attributes of a tag up to its '>' or '/>': name="value" pairs, each after white
 * space. With cell != NULL only s and t are allowed, once each, and their values are
 * returned in *kind and *style. Returns the byte after the tag, or NULL. *closed is set for
 * '/>'. */
static const uint8_t *attributes(Scanner *self, const uint8_t *p, const uint8_t *end, int cell,
                                 int64_t *kind, int64_t *style, int *closed) {
    int seen_s = 0, seen_t = 0;
    for (;;) {
        const uint8_t *q = skip_space(p, end);
        if (q < end && *q == '>') {
            *closed = 0;
            return q + 1;
        }
        if (end - q >= 2 && q[0] == '/' && q[1] == '>') {
            *closed = 1;
            return q + 2;
        }
        if (q == p) {
            self->error = "expected white space, '>' or '/>' in a tag";
            return NULL;
        }
        const uint8_t *name = q;
        while (q < end && (((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') ||
                           (*q >= '0' && *q <= '9') || *q == '_' || *q == ':' || *q == '.' ||
                           *q == '-'))
            q++;
        Py_ssize_t name_length = q - name;
        q = skip_space(q, end);
        if (name_length == 0 || q >= end || *q != '=') {
            self->error = "an attribute that is not name=\"value\"";
            return NULL;
        }
        q = skip_space(q + 1, end);
        if (q >= end || *q != '"') {
            self->error = "an attribute value not in double quotes";
            return NULL;
        }
        const uint8_t *value = ++q;
        while (q < end && *q != '"' && *q != '<') q++;
        if (q >= end || *q != '"') {
            self->error = "an attribute value that does not end";
            return NULL;
        }
        Py_ssize_t value_length = q - value;
        p = q + 1;
        if (!cell) continue;
        if (name_length == 1 && name[0] == 't' && !seen_t) {
            seen_t = 1;
            if (value_length == 1 && value[0] == 's')
                *kind = SHARED;
            else if (value_length == 1 && value[0] == 'n')
                *kind = NUMBER;
            else if (value_length == 9 && memcmp(value, "inlineStr", 9) == 0)
                *kind = INLINE;
            else {
                self->error = "a cell type other than s, n or inlineStr";
                return NULL;
            }
        } else if (name_length == 1 && name[0] == 's' && !seen_s) {
            seen_s = 1;
            int64_t s = 0;
            if (value_length == 0 || value_length > 9) {
                self->error = "a cell style that is not a number";
                return NULL;
            }
            for (Py_ssize_t i = 0; i < value_length; i++) {
                if (value[i] < '0' || value[i] > '9') {
                    self->error = "a cell style that is not a number";
                    return NULL;
                }
                s = s * 10 + (value[i] - '0');
            }
            if (s >= MAX_STYLES) {
                self->error = "a cell style past the styles read";
                return NULL;
            }
            *style = s;
        } else {
            self->error = "a cell attribute other than r, s and t";
            return NULL;
        }
    }
}

/* The text up to the next '<' from p, which must start the literal `close`. */
static const uint8_t *text_until(Scanner *self, const uint8_t *p, const uint8_t *end,
                                 const char *close, size_t close_length, const uint8_t **stop) {
    const uint8_t *lt = memchr(p, '<', (size_t)(end - p));
    if (lt == NULL || !starts(lt, end, close, close_length)) {
        self->error = "a value not followed by its end tag";
        return NULL;
    }
    *stop = lt;
    return lt + close_length;
}

/* One cell from just after its '<c r="'; returns the byte after it, or NULL. */
static const uint8_t *cell(Scanner *self, const uint8_t *p, const uint8_t *end,
                           const uint8_t *digits, Py_ssize_t n_digits, int *previous_column) {
    int column = 0, letters = 0;
    while (p < end && *p >= 'A' && *p <= 'Z' && letters < 3) {
        column = column * 26 + (*p - 'A' + 1);
        p++;
        letters++;
    }
    if (letters == 0 || end - p < n_digits + 1 || memcmp(p, digits, (size_t)n_digits) != 0 ||
        p[n_digits] != '"') {
        self->error = "a cell reference that is not its row's letters and number";
        return NULL;
    }
    p += n_digits + 1;
    column -= 1;
    if (column >= MAX_COLUMNS || column <= *previous_column) {
        self->error = "cells out of order or past the last column";
        return NULL;
    }
    *previous_column = column;
    int64_t kind = NUMBER, style = 0;
    int closed = 0;
    Tail *known = &self->tails[column % TAILS];
    if (known->length && end - p >= known->length && same_bytes(p, known->bytes, known->length)) {
        kind = known->kind;
        style = known->style;
        closed = known->closed;
        p += known->length;
    } else {
        const uint8_t *tail = p;
        p = attributes(self, p, end, 1, &kind, &style, &closed);
        if (p == NULL) return NULL;
        known->length = p - tail <= MAX_TAIL ? p - tail : 0;
        memcpy(known->bytes, tail, (size_t)known->length);
        known->kind = kind;
        known->style = style;
        known->closed = closed;
    }
    if (closed) return p;
    p = skip_space(p, end);
    const uint8_t *value = NULL, *stop = NULL;
    int64_t group = BLANK;
    if (STARTS(p, end, "</c>")) return p + 4;
    if (STARTS(p, end, "<v>")) {
        if (kind == INLINE) {
            self->error = "an inline string cell with a <v> value";
            return NULL;
        }
        value = p + 3;
        p = text_until(self, value, end, "</v>", 4, &stop);
        if (p == NULL) return NULL;
        group = kind;
    } else if (STARTS(p, end, "<is>")) {
        if (kind != INLINE) {
            self->error = "an <is> value in a cell that is not inlineStr";
            return NULL;
        }
        p = skip_space(p + 4, end);
        if (STARTS(p, end, "<t/>")) {
            p += 4;
        } else {
            if (STARTS(p, end, "<t>")) {
                value = p + 3;
                group = INLINE;
            } else if (STARTS(p, end, "<t xml:space=\"preserve\">")) {
                value = p + 24;
                group = INLINE_KEPT;
            } else {
                self->error = "an inline string that is not one <t>";
                return NULL;
            }
            p = text_until(self, value, end, "</t>", 4, &stop);
            if (p == NULL) return NULL;
        }
        p = skip_space(p, end);
        if (!STARTS(p, end, "</is>")) {
            self->error = "an inline string that is not one <t>";
            return NULL;
        }
        p += 5;
    } else {
        self->error = "a cell holding something other than <v> or <is>";
        return NULL;
    }
    p = skip_space(p, end);
    if (!STARTS(p, end, "</c>")) {
        self->error = "a cell holding more than one value";
        return NULL;
    }
    p += 4;
    if (group != BLANK && end - stop < 8) {
        self->error = "a value too near the end of a run"; /* runs end at </row> or later */
        return NULL;
    }
    if (group != BLANK) {
        Column *c = self->columns[column];
        if (c == NULL) {
            c = self->columns[column] = column_new(self->rows_capacity);
            if (c == NULL) {
                self->error = "out of memory";
                return NULL;
            }
        }
        if (column >= self->width) self->width = column + 1;
        int32_t code = column_code(c, value, stop - value, (int)group);
        if (code < 0) {
            self->error = code == -2 ? "a NUL byte in a value" : "out of memory";
            return NULL;
        }
        c->codes[self->n_rows - 1] = code;
        if (group == NUMBER) self->styles[style] = 1;
    }
    return p; /* an empty cell is code 0, as a missing one */
}

/* The rows in [start, end) of base. Returns the number of rows read, or -1 (self->error
 * set, self->error_at the offset in base where the scan stopped). */
static Py_ssize_t scan(Scanner *self, const uint8_t *base, Py_ssize_t start,
                       Py_ssize_t end_offset) {
    const uint8_t *p = base + start, *end = base + end_offset, *at = p;
    Py_ssize_t first = self->n_rows;
    for (;;) {
        p = skip_space(p, end);
        if (p == end) break;
        if (!STARTS(p, end, "<row r=\"")) {
            self->error = "something other than a row";
            goto fail;
        }
        p += 8;
        const uint8_t *digits = p;
        int64_t r = 0;
        while (p < end && *p >= '0' && *p <= '9' && p - digits < 8) r = r * 10 + (*p++ - '0');
        Py_ssize_t n_digits = p - digits;
        if (n_digits == 0 || n_digits > 7 || digits[0] == '0' || p >= end || *p != '"') {
            self->error = "a row number that is not 1 to 9999999";
            goto fail;
        }
        if (self->n_rows && r <= self->rows[self->n_rows - 1]) {
            self->error = "rows out of order";
            goto fail;
        }
        if (add_row(self, r) < 0) {
            self->error = "out of memory";
            goto fail;
        }
        int closed = 0;
        at = p;
        p = attributes(self, p + 1, end, 0, NULL, NULL, &closed);
        if (p == NULL) goto fail;
        if (closed) continue;
        int previous_column = -1;
        for (;;) {
            p = skip_space(p, end);
            if (STARTS(p, end, "</row>")) {
                p += 6;
                break;
            }
            if (!STARTS(p, end, "<c r=\"")) {
                self->error = "something other than a cell in a row";
                goto fail;
            }
            at = p;
            p = cell(self, p + 6, end, digits, n_digits, &previous_column);
            if (p == NULL) goto fail;
        }
    }
    return self->n_rows - first;
fail:
    self->error_at = (p == NULL ? at : p) - base;
    return -1;
}

/* --- the Python type -------------------------------------------------------------------- */

static void Scanner_dealloc(Scanner *self) {
    for (int j = 0; j < MAX_COLUMNS; j++) column_free(self->columns[j]);
    free(self->rows);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Scanner_scan(Scanner *self, PyObject *args) {
    Py_buffer data;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "y*nn", &data, &start, &end)) return NULL;
    if (start < 0 || end < start || end > data.len) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_IndexError, "scan range outside the data");
        return NULL;
    }
    if (self->error != NULL) {
        PyBuffer_Release(&data);
        PyErr_Format(PyExc_ValueError, "%s (scanning stopped earlier)", self->error);
        return NULL;
    }
    Py_ssize_t rows;
    Py_BEGIN_ALLOW_THREADS
    rows = scan(self, data.buf, start, end);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    if (rows < 0) {
        PyErr_Format(PyExc_ValueError, "%s (at byte %zd of the run)", self->error,
                     self->error_at - start);
        return NULL;
    }
    return PyLong_FromSsize_t(rows);
}

static PyObject *Scanner_rows(Scanner *self, PyObject *Py_UNUSED(ignored)) {
    return PyBytes_FromStringAndSize((const char *)self->rows,
                                     self->n_rows * (Py_ssize_t)sizeof(int64_t));
}

static PyObject *Scanner_column(Scanner *self, PyObject *args) {
    int j;
    if (!PyArg_ParseTuple(args, "i", &j)) return NULL;
    if (j < 0 || j >= self->width) {
        PyErr_SetString(PyExc_IndexError, "no such column");
        return NULL;
    }
    Column *c = self->columns[j];
    if (c == NULL) Py_RETURN_NONE;
    PyObject *kinds = PyBytes_FromStringAndSize(NULL, c->n_values);
    PyObject *flags = PyBytes_FromStringAndSize(NULL, c->n_values);
    if (kinds == NULL || flags == NULL) {
        Py_XDECREF(kinds);
        Py_XDECREF(flags);
        return NULL;
    }
    char *k = PyBytes_AS_STRING(kinds), *f = PyBytes_AS_STRING(flags);
    for (Py_ssize_t i = 0; i < c->n_values; i++) {
        k[i] = (char)c->values[i].kind;
        f[i] = (char)c->values[i].flags;
    }
    return Py_BuildValue("(y#NNy#)", (const char *)c->codes,
                         self->n_rows * (Py_ssize_t)sizeof(int32_t), kinds, flags,
                         (const char *)c->arena, c->arena_size);
}

static PyObject *Scanner_styles(Scanner *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *styles = PyList_New(0);
    if (styles == NULL) return NULL;
    for (Py_ssize_t s = 0; s < MAX_STYLES; s++) {
        if (!self->styles[s]) continue;
        PyObject *value = PyLong_FromSsize_t(s);
        if (value == NULL || PyList_Append(styles, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(styles);
            return NULL;
        }
        Py_DECREF(value);
    }
    return styles;
}

static PyObject *Scanner_width(Scanner *self, void *Py_UNUSED(closure)) {
    return PyLong_FromLong(self->width);
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_VARARGS,
     "scan(data, start, end) -> rows read: the rows in data[start:end] (whole rows only). "
     "ValueError says what is not a plain cell; after it the Scanner reads nothing more."},
    {"rows", (PyCFunction)Scanner_rows, METH_NOARGS,
     "The r of each row read, as int64 bytes."},
    {"column", (PyCFunction)Scanner_column, METH_VARARGS,
     "column(j) -> None when no cell of column j has a value, or (codes, kinds, flags, "
     "arena): int32 bytes with the code of each row's cell (0: none or empty), the kind and "
     "the flags (AMPERSAND, EXCEL_ESCAPE, EDGE_SPACE, DIGITS) of codes 1, 2, ... as bytes, and their "
     "values in code order, each followed by a NUL byte."},
    {"styles", (PyCFunction)Scanner_styles, METH_NOARGS,
     "Styles (s) of the number cells read."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Scanner_getset[] = {
    {"width", (getter)Scanner_width, NULL, "1 + the last column with a value.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "sampling._xlsx_scan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Scanner(): the cells of a worksheet's rows, read a run of rows at a time.",
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
    .tp_getset = Scanner_getset,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_xlsx_scan",
    "The cell scanner of the fast XLSX path (see sampling/frame_xlsx.py).", -1, NULL, NULL, NULL,
    NULL, NULL,
};

PyMODINIT_FUNC PyInit__xlsx_scan(void) {
    if (PyType_Ready(&ScannerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "SHARED", SHARED) < 0 ||
        PyModule_AddIntConstant(m, "NUMBER", NUMBER) < 0 ||
        PyModule_AddIntConstant(m, "INLINE", INLINE) < 0 ||
        PyModule_AddIntConstant(m, "INLINE_KEPT", INLINE_KEPT) < 0 ||
        PyModule_AddIntConstant(m, "AMPERSAND", AMPERSAND) < 0 ||
        PyModule_AddIntConstant(m, "EXCEL_ESCAPE", EXCEL_ESCAPE) < 0 ||
        PyModule_AddIntConstant(m, "EDGE_SPACE", EDGE_SPACE) < 0 ||
        PyModule_AddIntConstant(m, "DIGITS", DIGITS) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
