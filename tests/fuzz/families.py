"""Per-family fuzz targets: a strategy drawing (op, args, kwargs) for torch.nn.functional / refnn.nn.functional.

Each entry maps a family name to a hypothesis strategy producing ``(op_name, args, kwargs)``
where array arguments are :class:`tests.fuzz.differential.Arr`.
"""
from hypothesis import strategies as st

from tests.fuzz.differential import Arr
from tests.fuzz.strategies import arrays


@st.composite
def linear(draw):
    rank = draw(st.integers(0, 4))
    k = draw(st.integers(0, 4))
    n = draw(st.integers(0, 4))
    lead = tuple(draw(st.lists(st.integers(0, 3), min_size=max(rank - 1, 0), max_size=max(rank - 1, 0))))
    x_shape = lead + (k + draw(st.sampled_from([0, 0, 0, 1])),) if rank else ()
    x = draw(arrays(shape=x_shape))
    w = draw(arrays(shape=draw(st.sampled_from([(n, k), (k,), (n, k, 1)]))))
    args = [Arr(x), Arr(w)]
    if draw(st.booleans()):
        args.append(Arr(draw(arrays(shape=draw(st.sampled_from([(n,), (n + 1,), ()])), extra_dtypes=False))))
    return "linear", tuple(args), {}


@st.composite
def activation(draw):
    x = draw(arrays())
    return "relu", (Arr(x),), {}


FAMILIES = {
    "linear": linear(),
    "activation": activation(),
}
