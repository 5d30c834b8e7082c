# Interruptible kernels (include/refnn_interrupt.h): a long kernel checks refnn_stop at the start of
# each chunk of work and skips the rest once a signal handler has raised; its entry point then calls
# refnn_interrupt_finish, which re-raises, so a half-written output is never returned.
cdef extern from "refnn_interrupt.h":
    ctypedef struct refnn_interrupt:
        int stop
        int poll        # 0: this state never polls Python (a copy for a thread other than the caller's)
    void refnn_interrupt_init(refnn_interrupt *st)
    int refnn_interrupt_finish(refnn_interrupt *st) except -1
    int refnn_stop(refnn_interrupt *st, int thread) noexcept nogil
