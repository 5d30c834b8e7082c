"""Output-size arithmetic, one function per family, in Python ints (no overflow).

Every kernel's output buffer is allocated from these numbers; the functional
layer validates them (positive, within the allocation cap) before any kernel runs.
"""

# The largest single allocation refnn will make (bytes); larger requests raise
# RuntimeError in the functional layer instead of a MemoryError deep inside.
MAX_ALLOCATION_BYTES = 1 << 34


def conv_out_size(size, kernel, stride, padding, dilation):
    """floor((L + 2P - D(K-1) - 1) / S) + 1: convolution (and floor-mode pooling)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_out_size(size, kernel, stride, padding, dilation, output_padding):
    """(L - 1) S - 2P + D(K-1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def pool_out_size(size, kernel, stride, padding, dilation, ceil_mode):
    """Pooling output length, torch's rule: in ceil mode the last window must start
    inside the input or the left padding, otherwise it is dropped."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    if ceil_mode:
        out = -(-numerator // stride) + 1
        if (out - 1) * stride >= size + padding:
            out -= 1
    else:
        out = numerator // stride + 1
    return out


def check_allocation(fn, shape, itemsize):
    """Refuse outputs larger than MAX_ALLOCATION_BYTES with a clear RuntimeError."""
    count = 1
    for n in shape:
        count *= int(n)
    nonzero = 1
    for n in shape:
        nonzero *= max(int(n), 1)
    if nonzero * itemsize > (1 << 63) - 1:    # NumPy cannot represent the shape, even with no elements
        raise RuntimeError(f"{fn}: the output shape {tuple(shape)} overflows int64 (size calculation "
                           f"overflowed)")
    if count * itemsize > MAX_ALLOCATION_BYTES:
        raise RuntimeError(f"{fn}: the output of shape {tuple(shape)} would need {count * itemsize} bytes, "
                           f"more than refnn's allocation cap of {MAX_ALLOCATION_BYTES} bytes")


def unpool_default_size(size, kernel, stride, padding):
    """Max-unpooling's default output length: (L - 1) S + K - 2P (the input length of the pooling)."""
    return (size - 1) * stride + kernel - 2 * padding
