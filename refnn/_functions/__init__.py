"""Autograd Functions, one module per op family: forward allocates outputs, saves
what backward needs and calls the kernels; backward calls the gradient kernels."""
