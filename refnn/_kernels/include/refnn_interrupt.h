/* Interruptible kernels: a long kernel stops between chunks of its work when a signal handler
 * raises (Ctrl-C's KeyboardInterrupt).
 *
 * The calling thread is thread 0 of the kernel's OpenMP team.  When it is Python's main thread
 * (the only one that runs signal handlers), every REFNN_POLL_SECONDS of its work it takes the
 * GIL for a moment and calls PyErr_CheckSignals().  A handler that raises leaves its exception
 * here and sets `stop`; every thread then skips the rest of its chunks.  The kernel's Python
 * entry point re-raises the exception (refnn_interrupt_finish), so the half-written output is
 * never returned.  Without a signal nothing changes: every chunk runs as before, to the same bits.
 * Kernels shorter than REFNN_POLL_SECONDS never take the GIL; a longer one takes it once per
 * REFNN_POLL_SECONDS (uncontended: about a microsecond; while another Python thread runs Python
 * code, up to its switch interval, 5 ms: at most a tenth of thread 0's time).
 */
#ifndef REFNN_INTERRUPT_H
#define REFNN_INTERRUPT_H

#include <Python.h>
#include <time.h>

#define REFNN_POLL_SECONDS 0.05
#define REFNN_POLL_EVERY 16          /* chunks of thread 0 between looks at the clock */

typedef struct {
    int stop;                        /* written by thread 0, read by every thread */
    int poll;                        /* 0: the calling thread is not the main thread */
    unsigned ticks;
    double next;                     /* monotonic time of the next poll */
    PyObject *type, *value, *traceback;
} refnn_interrupt;

static double refnn_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* With the GIL, before the kernel. */
static void refnn_interrupt_init(refnn_interrupt *st)
{
    static PyObject *threading = NULL;
    PyObject *main_thread, *ident;
    st->stop = 0;
    st->poll = 0;
    st->ticks = 0;
    st->next = refnn_monotonic() + REFNN_POLL_SECONDS;
    st->type = st->value = st->traceback = NULL;
    if (threading == NULL)
        threading = PyImport_ImportModule("threading");
    if (threading == NULL) {
        PyErr_Clear();
        return;
    }
    main_thread = PyObject_CallMethod(threading, "main_thread", NULL);
    ident = main_thread == NULL ? NULL : PyObject_GetAttrString(main_thread, "ident");
    if (ident != NULL && PyLong_Check(ident))
        st->poll = PyLong_AsUnsignedLong(ident) == PyThread_get_thread_ident();
    Py_XDECREF(ident);
    Py_XDECREF(main_thread);
    PyErr_Clear();
}

static void refnn_interrupt_poll(refnn_interrupt *st)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    if (PyErr_CheckSignals() < 0) {
        PyErr_Fetch(&st->type, &st->value, &st->traceback);
        __atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);
    }
    PyGILState_Release(gil);
}

/* Whether the kernel must stop; called at the start of each chunk, `thread` the OpenMP thread
 * number (0 polls Python now and then).  No GIL needed. */
static inline int refnn_stop(refnn_interrupt *st, int thread)
{
    double now;
    if (__atomic_load_n(&st->stop, __ATOMIC_RELAXED))
        return 1;
    if (thread != 0 || !st->poll || ++st->ticks % REFNN_POLL_EVERY != 0)
        return 0;
    now = refnn_monotonic();
    if (now < st->next)
        return 0;
    st->next = now + REFNN_POLL_SECONDS;
    refnn_interrupt_poll(st);
    return __atomic_load_n(&st->stop, __ATOMIC_RELAXED);
}

/* With the GIL, after the kernel: -1 with the handler's exception set when it stopped, else 0. */
static int refnn_interrupt_finish(refnn_interrupt *st)
{
    if (!st->stop)
        return 0;
    PyErr_Restore(st->type, st->value, st->traceback);
    st->type = st->value = st->traceback = NULL;
    if (!PyErr_Occurred())
        PyErr_SetNone(PyExc_KeyboardInterrupt);
    return -1;
}

#endif
