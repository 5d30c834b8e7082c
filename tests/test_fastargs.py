"""The compiled fast-path checks (refnn._C.fastargs) against the Python fast paths they mirror: for every
call, either DEFER (the Python path then runs) or exactly the Python path's result; and the plain calls
are recognised (not deferred), so the compiled path is the one that runs."""
import itertools

import numpy as np
import pytest

import refnn
from refnn._C import fastargs
from refnn._C.fastargs import DEFER
from refnn.nn.functional import _conv, _loss, _pooling

RNG = np.random.default_rng(5)


def _t(shape, dtype=np.float32):
    return refnn.tensor(RNG.standard_normal(shape).astype(dtype))


INTS = [1, 2, 3, 0, -1, (1, 2), [2, 1], (3,), [1], (1, 2, 3), True, np.int64(2), 2 ** 40, -(2 ** 70), 2.0, "1",
        None, (1, True), (2 ** 31, 1)]


def _agree(compiled, python):
    if compiled is DEFER:
        return False
    assert compiled == python
    for a, b in zip(compiled, python):
        assert [type(v) for v in a] == [type(v) for v in b]
    return True


CONV_INPUTS = [
    (_t((1, 3, 32, 32)), _t((6, 3, 5, 5)), _t((6,))),
    (_t((2, 4, 9, 7), np.float64), _t((6, 2, 3, 2), np.float64), None),
    (_t((2, 4, 9, 7)), _t((6, 2, 3, 2), np.float64), None),                 # dtype mismatch
    (_t((2, 4, 9, 7)), _t((6, 2, 3, 2)), _t((5,))),                          # bias size
    (_t((2, 4, 9, 7)), _t((6, 2, 3, 2)), _t((6,), np.float64)),              # bias dtype
    (_t((4, 9, 7)), _t((6, 4, 3, 2)), None),                                 # unbatched: Python path
    (_t((1, 3, 4, 4)), _t((2, 3, 5, 5)), None),                              # kernel larger than input
    (_t((1, 3, 4, 4)), _t((2, 3, 1, 1)), None),
    (_t((1, 0, 4, 4)), _t((2, 0, 1, 1)), None),
    (refnn.tensor(np.ones((1, 2, 5, 5), dtype=">f4")), _t((2, 2, 3, 3)), None),   # byte-swapped
    (refnn.tensor(np.ones((1, 2, 5, 5), dtype=np.float16)), refnn.tensor(np.ones((2, 2, 3, 3), np.float16)), None),
    (refnn.tensor(RNG.standard_normal((1, 2, 6, 5)).astype(np.float32)[:, :, ::2]), _t((2, 2, 3, 3)), None),
]


@pytest.mark.parametrize("case", range(len(CONV_INPUTS)))
def test_conv2d_args_agree_with_the_python_fast_path(case):
    x, w, b = CONV_INPUTS[case]
    for stride, padding, dilation, groups in itertools.product(INTS[:8] + [INTS[12], INTS[10]], INTS[:8] + [INTS[13]],
                                                               [1, 2, (2, 1), 0, True], [1, 2, 0, True, -1]):
        python = _conv._fast_conv2d_args(x, w, b, stride, padding, dilation, groups)
        compiled = fastargs.conv2d_args(x, w, b, stride, padding, dilation, groups)
        if not _agree(compiled, python):
            assert compiled is DEFER


def test_conv2d_args_recognise_plain_calls():
    x, w, b = CONV_INPUTS[0]
    assert fastargs.conv2d_args(x, w, b, 1, 0, 1, 1) == _conv._fast_conv2d_args(x, w, b, 1, 0, 1, 1)
    x, w, _ = CONV_INPUTS[1]
    assert fastargs.conv2d_args(x, w, None, (2, 1), [1, 0], 2, 2) is not DEFER
    assert fastargs.conv2d_args(x, w, None, 2 ** 40, 0, 1, 2) is DEFER      # left to the Python code
    assert fastargs.conv2d_args(x.data, w, None, 1, 0, 1, 2) is DEFER


POOL_INPUTS = [_t((1, 6, 28, 28)), _t((3, 9, 7), np.float64), _t((2, 3, 1, 1)), _t((5, 5)), _t((1, 2, 3, 4, 5)),
               refnn.tensor(np.ones((1, 2, 6, 6), dtype=">f8")), refnn.tensor(np.ones((1, 2, 6, 6), dtype=np.int64))]


@pytest.mark.parametrize("case", range(len(POOL_INPUTS)))
def test_max_pool2d_args_agree_with_the_python_fast_path(case):
    x = POOL_INPUTS[case]
    for kernel, stride, padding, dilation, ceil_mode in itertools.product(
            [1, 2, 3, (2, 2), [3, 1], (2,), 0, -1, True, 2 ** 40], [None, 1, 2, (1, 3), 0, 2 ** 70], [0, 1, (1, 0), -1],
            [1, 2, 0], [False, True, 0, None]):
        python = _pooling._fast_max_pool2d_args(x, kernel, stride, padding, dilation, ceil_mode)
        compiled = fastargs.max_pool2d_args(x, kernel, stride, padding, dilation, ceil_mode)
        if not _agree(compiled, python):
            assert compiled is DEFER


def test_max_pool2d_args_recognise_plain_calls():
    x = POOL_INPUTS[0]
    assert fastargs.max_pool2d_args(x, (2, 2), None, 0, 1, False) is not DEFER
    assert fastargs.max_pool2d_args(x, 3, 2, 1, 1, True) == _pooling._fast_max_pool2d_args(x, 3, 2, 1, 1, True)


@pytest.mark.parametrize("ignore_index", [-100, 0, 3, 9, 2 ** 63 - 1, -(2 ** 63), 2 ** 64])
def test_labels_in_range_agrees_with_numpy(ignore_index):
    for labels in (np.array([0, 1, 9, 3]), np.array([0, 10]), np.array([-1, 2]), np.array([-100, 4]), np.array([], np.int64),
                   np.array([3, 3, 3])[::2], np.array([2 ** 62, 0]), np.array([-(2 ** 63), 1])):
        expected = not ((labels != ignore_index) & ((labels < 0) | (labels >= 10))).any()
        got = fastargs.labels_in_range(labels, 10, ignore_index)
        assert got is None or got == expected
        if abs(ignore_index) < 2 ** 62:
            assert got is not None
    assert fastargs.labels_in_range(np.array([1, 2], np.int32), 10, -100) is None
    assert fastargs.labels_in_range(np.array([[1, 2]]), 10, -100) is None
    assert fastargs.labels_in_range(np.array([1, 2]), 10, True) is None


def test_nll_fast_layout_still_refuses_out_of_range_labels():
    x, target = _t((4, 5)), refnn.tensor(np.array([0, 5, 1, 2]))
    assert _loss._fast_nll_layout(x, target, None, -100) is None
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        refnn.nn.functional.nll_loss(x, target)


LINEAR_INPUTS = [
    (_t((1, 400)), _t((120, 400)), _t((120,))), (_t((3, 2, 4), np.float64), _t((5, 4), np.float64), None),
    (_t((4,)), _t((5, 4)), _t((5,))), (_t((3, 4)), _t((5, 4)), _t((5,), np.float64)), (_t((3, 4)), _t((5, 4)), _t((4,))),
    (_t((3, 4)), _t((5, 3)), None), (_t((3, 4)), _t((4,)), None), (_t((3, 4)), _t((0, 4)), None),
    (refnn.tensor(RNG.standard_normal((3, 2, 8)).astype(np.float32)[:, :, ::2]), _t((5, 4)), _t((5,))),
    (refnn.tensor(RNG.standard_normal((3, 2, 8)).astype(np.float32)[:, :, ::2]), _t((5, 4)), None),
    (_t((3, 4)), _t((5, 4)), refnn.tensor(RNG.standard_normal(10).astype(np.float32)[::2])),
    (_t((3, 4)), refnn.tensor(np.ones((5, 4), ">f4")), None), (_t((3, 4)), _t((5, 4), np.float64), None),
    (refnn.tensor(np.ones((3, 4), np.float16)), refnn.tensor(np.ones((5, 4), np.float16)), None),
    (_t(()), _t((5, 4)), None), (_t((3, 4)).data, _t((5, 4)), None),
]


@pytest.mark.parametrize("case", range(len(LINEAR_INPUTS)))
def test_linear_common_agrees_with_the_python_check(case):
    from refnn.nn.functional import _linear
    x, w, b = LINEAR_INPUTS[case]
    compiled = fastargs.linear_common(x, w, b)
    assert compiled is None or compiled is True
    if compiled:
        assert _linear._common_case(x, w, b)
    if case in (0, 1, 2, 8):
        assert compiled is True
