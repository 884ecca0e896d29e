/* take_joined(pieces, index): b"".join(pieces[i] for i in index) in one pass.
 *
 * The canonical frame hash (sampling/frame_hash.py) joins a line per household, picked by
 * index from a column's few distinct lines: a million-element gather and join in Python
 * costs about 0.07 s a column, this a few milliseconds. frame_hash.py falls back to the
 * Python join when this module was not built, and tests/sampling/test_frames.py compares the
 * two.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static PyObject *take_joined(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *pieces;
    Py_buffer index;
    if (!PyArg_ParseTuple(args, "O!y*", &PyList_Type, &pieces, &index)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n_pieces = PyList_GET_SIZE(pieces);
    const char **starts = NULL;
    Py_ssize_t *lengths = NULL;
    if (index.len % (Py_ssize_t)sizeof(int64_t) != 0) {
        PyErr_SetString(PyExc_ValueError, "index must hold int64 values");
        goto done;
    }
    starts = PyMem_Malloc((size_t)(n_pieces ? n_pieces : 1) * sizeof(const char *));
    lengths = PyMem_Malloc((size_t)(n_pieces ? n_pieces : 1) * sizeof(Py_ssize_t));
    if (starts == NULL || lengths == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_pieces; i++) {
        PyObject *piece = PyList_GET_ITEM(pieces, i);
        if (!PyBytes_Check(piece)) {
            PyErr_SetString(PyExc_TypeError, "pieces must be bytes");
            goto done;
        }
        starts[i] = PyBytes_AS_STRING(piece);
        lengths[i] = PyBytes_GET_SIZE(piece);
    }
    const int64_t *at = index.buf;
    Py_ssize_t n = index.len / (Py_ssize_t)sizeof(int64_t), total = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (at[k] < 0 || at[k] >= n_pieces) {
            PyErr_SetString(PyExc_IndexError, "index out of range");
            goto done;
        }
        if (lengths[at[k]] > PY_SSIZE_T_MAX - total) {
            PyErr_NoMemory();
            goto done;
        }
        total += lengths[at[k]];
    }
    result = PyBytes_FromStringAndSize(NULL, total);
    if (result == NULL) goto done;
    char *out = PyBytes_AS_STRING(result);
    for (Py_ssize_t k = 0; k < n; k++) {
        memcpy(out, starts[at[k]], (size_t)lengths[at[k]]);
        out += lengths[at[k]];
    }
done:
    PyMem_Free(starts);
    PyMem_Free(lengths);
    PyBuffer_Release(&index);
    return result;
}

static PyMethodDef methods[] = {
    {"take_joined", take_joined, METH_VARARGS,
     "take_joined(pieces: list[bytes], index: int64 buffer) -> bytes: the pieces at index, "
     "joined."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_join", "Joins picked byte strings (see sampling/frame_hash.py).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__join(void) { return PyModule_Create(&module); }
