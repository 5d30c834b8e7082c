"""Cython kernels: typed loops over preallocated C-contiguous buffers.

No Python objects, no raising: every argument is validated in
``refnn.nn.functional`` before a kernel runs.
"""
