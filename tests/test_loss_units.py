"""Unit tests of the loss and distance family beyond the registry: ordered sums, the nll cascade,
validation before kernels, legacy reduction arguments, module state and AdaptiveLogSoftmax identities."""
import math
import warnings

import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F
from refnn._functions.loss import ordered_sum
from refnn._kernels import loss as K



def _at_threads(n, fn):
    saved = refnn.get_num_threads()
    refnn.set_num_threads(n)
    try:
        return fn()
    finally:
        refnn.set_num_threads(saved)


# ---------------------------------------------------------------- ordered sums
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ordered_sum_is_thread_independent_and_accurate(dtype):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(3 * K.SUM_BLOCK + 17).astype(dtype)
    one = _at_threads(1, lambda: ordered_sum(values))
    two = _at_threads(2, lambda: ordered_sum(values))
    assert one == two
    assert abs(one - math.fsum(values.astype(np.float64))) < 1e-9


def test_ordered_sum_empty_is_zero():
    assert ordered_sum(np.zeros(0, dtype=np.float32)) == 0.0


# ---------------------------------------------------------------- nll_loss
def test_nll_reduction_replays_torchs_cascade_bit_for_bit():
    import torch
    rng = np.random.default_rng(1)
    for shape, target_shape in (((5000, 3), (5000,)), ((7, 3, 40, 30), (7, 40, 30))):
        log_prob = rng.standard_normal(shape).astype(np.float32)
        target = rng.integers(0, 3, size=target_shape)
        target.reshape(-1)[::11] = -100
        weight = rng.uniform(0.1, 3, size=3).astype(np.float32)
        for reduction in ("mean", "sum"):
            ours = F.nll_loss(refnn.tensor(log_prob), refnn.tensor(target), weight=refnn.tensor(weight),
                              reduction=reduction).data
            theirs = torch.nn.functional.nll_loss(torch.from_numpy(log_prob), torch.from_numpy(target),
                                                  weight=torch.from_numpy(weight), reduction=reduction).numpy()
            assert ours.tobytes() == theirs.tobytes(), (shape, reduction, ours, theirs)


def test_nll_all_ignored_mean_is_nan_sum_is_zero_and_gradient_zero():
    x = refnn.tensor(np.zeros((3, 4), dtype=np.float32), requires_grad=True)
    target = refnn.tensor(np.full(3, -100))
    assert np.isnan(F.nll_loss(x, target).item())
    assert F.nll_loss(x, target, reduction="sum").item() == 0
    F.nll_loss(x, target).backward()
    assert np.array_equal(x.grad.data, np.zeros((3, 4), dtype=np.float32))


@pytest.mark.parametrize("bad", [4, -1, 2**40, -(2**40)])
def test_nll_target_out_of_range_raises_index_error(bad):
    x = refnn.tensor(np.zeros((3, 4), dtype=np.float32))
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(x, refnn.tensor(np.array([0, bad, 1])))


def test_nll_ignore_index_may_be_out_of_range():
    x = refnn.tensor(np.log(np.full((2, 4), 0.25, dtype=np.float32)))
    loss = F.nll_loss(x, refnn.tensor(np.array([1, 99])), ignore_index=99)
    assert np.isclose(loss.item(), math.log(4))


def test_nll_weight_must_not_require_grad():
    x = refnn.tensor(np.zeros((2, 3), dtype=np.float32))
    weight = refnn.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="weight"):
        F.nll_loss(x, refnn.tensor(np.array([0, 1])), weight=weight)
    with refnn.no_grad():
        F.nll_loss(x, refnn.tensor(np.array([0, 1])), weight=weight)


# ---------------------------------------------------------------- reductions and legacy arguments
@pytest.mark.parametrize("size_average,reduce,expected", [
    (None, None, "mean"), (True, None, "mean"), (False, None, "sum"), (None, False, "none"),
    (False, False, "none"), (True, True, "mean"), (False, True, "sum")])
def test_legacy_arguments_map_like_torch(size_average, reduce, expected):
    if size_average is None and reduce is None:
        assert nn.MSELoss().reduction == expected
        return
    with pytest.warns(UserWarning, match="size_average and reduce"):
        module = nn.MSELoss(size_average=size_average, reduce=reduce)
    assert module.reduction == expected


def test_bad_reduction_is_a_value_error_before_any_kernel():
    x = refnn.tensor(np.zeros((2, 3), dtype=np.float32))
    for call in (lambda: F.mse_loss(x, x, reduction="avg"), lambda: F.l1_loss(x, x, reduction="avg"),
                 lambda: F.nll_loss(x, refnn.tensor(np.array([0, 1])), reduction="avg")):
        with pytest.raises(ValueError, match="avg"):
            call()


def test_mse_broadcast_warns_and_sums_gradient_back():
    x = refnn.tensor(np.ones((4, 3), dtype=np.float64), requires_grad=True)
    y = refnn.tensor(np.zeros(3, dtype=np.float64), requires_grad=True)
    with pytest.warns(UserWarning, match="different to the input size"):
        loss = F.mse_loss(x, y, reduction="sum")
    loss.backward()
    assert loss.item() == 12
    assert np.array_equal(y.grad.data, np.full(3, -8.0))


# ---------------------------------------------------------------- binary cross entropy
def test_bce_log_is_clamped_at_minus_100():
    x = refnn.tensor(np.array([0.0, 1.0], dtype=np.float32))
    y = refnn.tensor(np.array([1.0, 0.0], dtype=np.float32))
    assert np.array_equal(F.binary_cross_entropy(x, y, reduction="none").data, np.array([100, 100], np.float32))


def test_bce_with_logits_is_stable_for_huge_logits():
    x = refnn.tensor(np.array([-1e4, 1e4, -1e4, 1e4], dtype=np.float32), requires_grad=True)
    y = refnn.tensor(np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32))
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert np.array_equal(loss.data, np.array([0, 0, 1e4, 1e4], dtype=np.float32))
    loss.sum().backward()
    assert np.all(np.isfinite(x.grad.data))


def test_bce_rejects_inputs_outside_0_1():
    y = refnn.tensor(np.array([0.5], dtype=np.float32))
    for bad in (1.5, -0.1, np.nan):
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            F.binary_cross_entropy(refnn.tensor(np.array([bad], dtype=np.float32)), y)


# ---------------------------------------------------------------- distances
def test_pairwise_distance_thread_independent():
    rng = np.random.default_rng(3)
    a = refnn.tensor(rng.standard_normal((513, 37)).astype(np.float32))
    b = refnn.tensor(rng.standard_normal((513, 37)).astype(np.float32))
    for p in (2.0, 1.0, 3.0, float("inf")):
        one = _at_threads(1, lambda: F.pairwise_distance(a, b, p=p).data)
        two = _at_threads(2, lambda: F.pairwise_distance(a, b, p=p).data)
        assert one.tobytes() == two.tobytes()


def test_cosine_similarity_is_bounded_and_symmetric():
    rng = np.random.default_rng(4)
    a = refnn.tensor((rng.standard_normal((50, 8)) * 1e30).astype(np.float32))
    b = refnn.tensor((rng.standard_normal((50, 8)) * 1e30).astype(np.float32))
    ab = F.cosine_similarity(a, b).data
    assert np.all(np.isfinite(ab)) and np.all(np.abs(ab) <= 1.0 + 1e-6)
    assert np.allclose(ab, F.cosine_similarity(b, a).data, rtol=0, atol=1e-6)


def test_distance_modules_keep_torchs_attribute_names():
    module = nn.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True)
    assert (module.norm, module.eps, module.keepdim) == (1.0, 1e-3, True)
    assert repr(module) == "PairwiseDistance()"
    module = nn.CosineSimilarity(dim=0, eps=1e-4)
    assert (module.dim, module.eps) == (0, 1e-4)


# ---------------------------------------------------------------- module state
def test_weight_buffers_and_state_dict_keys():
    assert list(nn.NLLLoss().state_dict()) == []
    assert nn.NLLLoss().weight is None
    weighted = nn.CrossEntropyLoss(weight=refnn.tensor([1.0, 2.0]), label_smoothing=0.1, ignore_index=3)
    assert list(weighted.state_dict()) == ["weight"]
    assert (weighted.ignore_index, weighted.label_smoothing, weighted.reduction) == (3, 0.1, "mean")
    both = nn.BCEWithLogitsLoss(weight=refnn.tensor([1.0]), pos_weight=refnn.tensor([2.0]))
    assert list(both.state_dict()) == ["weight", "pos_weight"]


# ---------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss
def test_adaptive_names_and_cutoffs():
    asm = nn.AdaptiveLogSoftmaxWithLoss(16, 10, [3, 6], div_value=2.0)
    assert asm.cutoffs == [3, 6, 10] and asm.shortlist_size == 3 and asm.n_clusters == 2 and asm.head_size == 5
    assert [n for n, _ in asm.named_parameters()] == ["head.weight", "tail.0.0.weight", "tail.0.1.weight",
                                                      "tail.1.0.weight", "tail.1.1.weight"]
    assert asm.tail[1][0].out_features == 4 and asm.tail[1][1].out_features == 4
    with pytest.raises(ValueError):
        nn.AdaptiveLogSoftmaxWithLoss(16, 10, [3, 3])


def test_adaptive_log_prob_output_and_predict_agree():
    refnn.manual_seed(0)
    asm = nn.AdaptiveLogSoftmaxWithLoss(16, 10, [3, 6], div_value=2.0, head_bias=True).double()
    rng = np.random.default_rng(5)
    x = refnn.tensor(rng.standard_normal((9, 16)) * 3)
    target = np.array([0, 1, 2, 3, 4, 5, 6, 7, 9])
    log_prob = asm.log_prob(x).data
    assert np.allclose(np.log(np.exp(log_prob).sum(axis=1)), 0, atol=1e-12)
    output, loss = asm(x, refnn.tensor(target))
    assert np.allclose(output.data, log_prob[np.arange(9), target], atol=1e-12)
    assert np.isclose(loss.item(), -output.data.mean())
    assert np.array_equal(asm.predict(x).data, log_prob.argmax(axis=1))


@pytest.mark.parametrize("cutoffs", [[8], [1, 2], [3, 6]])
def test_adaptive_predict_is_log_prob_argmax_on_every_branch(cutoffs):
    refnn.manual_seed(1)
    asm = nn.AdaptiveLogSoftmaxWithLoss(16, 10, cutoffs, div_value=2.0, head_bias=True).double()
    x = refnn.tensor(np.random.default_rng(7).standard_normal((40, 16)) * 4)
    assert np.array_equal(asm.predict(x).data, asm.log_prob(x).data.argmax(axis=1))


def test_cross_entropy_is_log_softmax_then_nll():
    rng = np.random.default_rng(6)
    x = refnn.tensor(rng.standard_normal((6, 5)))
    target = refnn.tensor(rng.integers(0, 5, size=6))
    expected = F.nll_loss(F.log_softmax(x, dim=1), target).data
    assert F.cross_entropy(x, target).data.tobytes() == expected.tobytes()
