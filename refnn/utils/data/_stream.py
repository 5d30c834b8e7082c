"""The NumPy stream behind a refnn generator argument."""


def numpy_stream(generator):
    """``generator`` (a refnn Generator, a NumPy Generator, or None for refnn's default one, which
    ``refnn.manual_seed`` sets) as the NumPy Generator to draw from."""
    if generator is None:
        from ... import random
        generator = random.default_generator
        if callable(generator) and not hasattr(generator, "permutation"):
            generator = generator()
    return getattr(generator, "numpy", generator)
