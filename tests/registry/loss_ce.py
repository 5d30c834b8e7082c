"""cross_entropy / CrossEntropyLoss and AdaptiveLogSoftmaxWithLoss (built on F.log_softmax).

These cases need F.log_softmax from the activation family; until it is merged they are
skipped with that reason (they turn on by themselves once it is there).
"""
import numpy as np

import refnn.nn.functional as _RF
from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.loss import REDUCTIONS, all_ignored, classes, lib_tensor, specials, weight

SKIP = None if hasattr(_RF, "log_softmax") else "needs F.log_softmax (activation family), not merged yet"


def prob_targets(shape, class_dim=1):
    """Rows of class probabilities (summing to 1 over the class dim)."""
    def gen(rng, shape_, dtype):
        p = rng.uniform(0, 1, size=shape_)
        return (p / p.sum(axis=class_dim if len(shape_) > 1 else 0, keepdims=True)).astype(dtype)
    return T(shape, gen=gen)


def asm(*args, **kwargs):
    """A builder of AdaptiveLogSoftmaxWithLoss(*args, **kwargs) in either library."""
    return lambda nn, F: nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs)


def asm_method(method, *args, **kwargs):
    """A wrapper module whose forward calls asm.<method> (log_prob or predict)."""
    def build(nn, F):
        class ASMMethod(nn.Module):
            def __init__(self):
                super().__init__()
                self.asm = nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs)

            def forward(self, x):
                return getattr(self.asm, method)(x)
        return ASMMethod()
    return build


def asm_targets(shape, n_classes, cutoffs):
    """Targets hitting the shortlist and every cluster."""
    def gen(rng, shape_, dtype):
        bounds = [0] + list(cutoffs) + [n_classes]
        size = int(np.prod(shape_))
        picks = [rng.integers(bounds[i % (len(bounds) - 1)], bounds[i % (len(bounds) - 1) + 1]) for i in range(size)]
        return np.array(rng.permutation(picks), dtype=np.int64).reshape(shape_)
    return T(shape, dtype="int64", gen=gen)


CASES = []
for red in REDUCTIONS:
    CASES += [
        OpCase(op="cross_entropy", desc=f"indices_{red}", args=(T((6, 5), -3, 3), classes((6,), 5)),
               kwargs={"reduction": red}),
        OpCase(op="cross_entropy", desc=f"indices_weight_ignore_{red}", args=(T((7, 4), -3, 3), classes((7,), 4, -100)),
               kwargs={"reduction": red, "weight": weight(4)}),
        OpCase(op="cross_entropy", desc=f"indices_4d_{red}", args=(T((2, 3, 4, 2)), classes((2, 4, 2), 3, 1)),
               kwargs={"reduction": red, "ignore_index": 1}),
        OpCase(op="cross_entropy", desc=f"unbatched_{red}", args=(T((5,)), classes((), 5)), kwargs={"reduction": red}),
        OpCase(op="cross_entropy", desc=f"smoothing_{red}", args=(T((6, 5), -3, 3), classes((6,), 5)),
               kwargs={"reduction": red, "label_smoothing": 0.2}),
        OpCase(op="cross_entropy", desc=f"smoothing_weight_ignore_{red}", args=(T((7, 4)), classes((7,), 4, 2)),
               kwargs={"reduction": red, "label_smoothing": 0.1, "weight": weight(4), "ignore_index": 2}),
        OpCase(op="cross_entropy", desc=f"smoothing_3d_{red}", args=(T((2, 4, 3)), classes((2, 3), 4, -100, every=2)),
               kwargs={"reduction": red, "label_smoothing": 0.3}),
        OpCase(op="cross_entropy", desc=f"probs_{red}", args=(T((5, 4)), prob_targets((5, 4))), kwargs={"reduction": red}),
        OpCase(op="cross_entropy", desc=f"probs_weight_smoothing_{red}", args=(T((5, 4)), prob_targets((5, 4))),
               kwargs={"reduction": red, "weight": weight(4), "label_smoothing": 0.25}),
        OpCase(op="cross_entropy", desc=f"probs_4d_{red}", args=(T((2, 3, 2, 2)), prob_targets((2, 3, 2, 2))),
               kwargs={"reduction": red}),
        OpCase(op="cross_entropy", desc=f"probs_unbatched_{red}", args=(T((6,)), prob_targets((6,), 0)),
               kwargs={"reduction": red}),
        OpCase(op="cross_entropy", desc=f"all_ignored_smoothing_{red}", args=(T((3, 4)), all_ignored((3,))),
               kwargs={"reduction": red, "label_smoothing": 0.1}),
        ModuleCase(module="CrossEntropyLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(T((4, 5)), classes((4,), 5))),
    ]
CASES += [
    OpCase(op="cross_entropy", desc="smoothing_one", args=(T((4, 3)), classes((4,), 3)), kwargs={"label_smoothing": 1.0}),
    OpCase(op="cross_entropy", desc="smoothing_negative_ignored", args=(T((4, 3)), classes((4,), 3)),
           kwargs={"label_smoothing": -0.1}),
    OpCase(op="cross_entropy", desc="probs_smoothing_negative", args=(T((4, 3)), prob_targets((4, 3))),
           kwargs={"label_smoothing": -0.5}),
    OpCase(op="cross_entropy", desc="large_logits", args=(T((4, 6), -300, 300), classes((4,), 6))),
    OpCase(op="cross_entropy", desc="batch_zero", args=(T((0, 4)), classes((0,), 4))),
    OpCase(op="cross_entropy", desc="batch_zero_smoothing", args=(T((0, 4)), classes((0,), 4)),
           kwargs={"label_smoothing": 0.1}),
    OpCase(op="cross_entropy", desc="probs_batch_zero", args=(T((0, 4)), T((0, 4)))),
    OpCase(op="cross_entropy", desc="batch_one", args=(T((1, 7)), classes((1,), 7))),
    OpCase(op="cross_entropy", desc="noncontig", args=(T((5, 4), layout="transposed"), classes((5,), 4))),
    OpCase(op="cross_entropy", desc="probs_noncontig", args=(T((5, 4), layout="transposed"),
                                                            T((5, 4), 0, 1, layout="negative"))),
    OpCase(op="cross_entropy", desc="specials", args=(T((4, 3), gen=specials), classes((4,), 3)),
           kwargs={"reduction": "none"}, grad=False),
    OpCase(op="cross_entropy", desc="legacy_reduce", args=(T((4, 3)), classes((4,), 3)), kwargs={"reduce": False}),
    ModuleCase(module="CrossEntropyLoss", desc="smoothing_ignore", ctor_kwargs={"label_smoothing": 0.15, "ignore_index": 0},
               inputs=(T((6, 4)), classes((6,), 4, 0))),
    ModuleCase(module="CrossEntropyLoss", desc="probabilities", inputs=(T((3, 4)), prob_targets((3, 4)))),
    ModuleCase(module=lambda nn, F: nn.CrossEntropyLoss(weight=lib_tensor(nn, [0.5, 1.0, 2.0]), label_smoothing=0.1),
               name="CrossEntropyLoss", desc="weight_buffer", inputs=(T((5, 3)), classes((5,), 3, -100))),
    ErrorCase(op="cross_entropy", desc="target_out_of_range", args=(T((3, 4)), T((3,), 4, 6, dtype="int64"))),
    ErrorCase(op="cross_entropy", desc="target_out_of_range_smoothing", args=(T((3, 4)), T((3,), 4, 6, dtype="int64")),
              kwargs={"label_smoothing": 0.1}),
    ErrorCase(op="cross_entropy", desc="smoothing_above_one", args=(T((3, 4)), classes((3,), 4)),
              kwargs={"label_smoothing": 1.5}),
    ErrorCase(op="cross_entropy", desc="probs_smoothing_above_one", args=(T((3, 4)), prob_targets((3, 4))),
              kwargs={"label_smoothing": 1.5}),
    ErrorCase(op="cross_entropy", desc="probs_ignore_index", args=(T((3, 4)), prob_targets((3, 4))),
              kwargs={"ignore_index": 1}),
    ErrorCase(op="cross_entropy", desc="probs_int_target", args=(T((3, 4)), T((3, 4), 0, 2, dtype="int64"))),
    ErrorCase(op="cross_entropy", desc="probs_weight_wrong_size", args=(T((3, 4)), prob_targets((3, 4))),
              kwargs={"weight": T((3,), requires_grad=False)}),
    ErrorCase(op="cross_entropy", desc="float_target_wrong_shape", args=(T((3, 4)), T((3,)))),
    ErrorCase(op="cross_entropy", desc="int32_target", args=(T((3, 4)), T((3,), 0, 3, dtype="int32"))),
    ErrorCase(op="cross_entropy", desc="batch_mismatch", args=(T((3, 4)), classes((2,), 4))),
    ErrorCase(op="cross_entropy", desc="bad_reduction", args=(T((3, 4)), classes((3,), 4)), kwargs={"reduction": "x"}),
    ErrorCase(op="cross_entropy", desc="weight_wrong_size", args=(T((3, 4)), classes((3,), 4)),
              kwargs={"weight": T((5,), requires_grad=False)}),
    ErrorCase(op="CrossEntropyLoss", desc="module_smoothing_above_one", module=True, kwargs={"label_smoothing": 2.0},
              call_inputs=(T((3, 4)), classes((3,), 4))),

    # AdaptiveLogSoftmaxWithLoss: (output, loss), log_prob, predict; parameters head.weight, tail.i.j.weight
    ModuleCase(module=asm(16, 10, [3, 6]), name="AdaptiveLogSoftmaxWithLoss", desc="two_clusters",
               inputs=(T((8, 16)), asm_targets((8,), 10, [3, 6]))),
    ModuleCase(module=asm(16, 12, [4], div_value=2.0, head_bias=True), name="AdaptiveLogSoftmaxWithLoss",
               desc="one_cluster_head_bias", inputs=(T((6, 16)), asm_targets((6,), 12, [4]))),
    ModuleCase(module=asm(32, 20, [2, 5, 11], div_value=2.0), name="AdaptiveLogSoftmaxWithLoss",
               desc="three_clusters", inputs=(T((10, 32)), asm_targets((10,), 20, [2, 5, 11]))),
    ModuleCase(module=asm(8, 6, [2]), name="AdaptiveLogSoftmaxWithLoss", desc="shortlist_only_targets",
               inputs=(T((4, 8)), T((4,), 0, 2, dtype="int64"))),
    ModuleCase(module=asm(8, 6, [2]), name="AdaptiveLogSoftmaxWithLoss", desc="tail_only_targets",
               inputs=(T((4, 8)), T((4,), 2, 6, dtype="int64"))),
    ModuleCase(module=asm(8, 6, [2]), name="AdaptiveLogSoftmaxWithLoss", desc="batch_one",
               inputs=(T((1, 8)), T((1,), 3, 6, dtype="int64"))),
    ModuleCase(module=asm(8, 6, [2]), name="AdaptiveLogSoftmaxWithLoss", desc="unbatched",
               inputs=(T((8,)), T((), 2, 6, dtype="int64"))),
    ModuleCase(module=asm(8, 10, [2, 5]), name="AdaptiveLogSoftmaxWithLoss", desc="zero_width_projection",
               inputs=(T((5, 8)), asm_targets((5,), 10, [2, 5]))),  # tail.1.0 is Linear(8, 0)
    ModuleCase(module=asm_method("log_prob", 16, 10, [3, 6]), name="AdaptiveLogSoftmaxWithLoss.log_prob",
               desc="log_prob", inputs=(T((5, 16)),)),
    ModuleCase(module=asm_method("predict", 16, 10, [3, 6], head_bias=True), name="AdaptiveLogSoftmaxWithLoss.predict",
               desc="predict", inputs=(T((12, 16), -3, 3),), grad=False),
    ModuleCase(module=asm_method("predict", 16, 10, [8]), name="AdaptiveLogSoftmaxWithLoss.predict",
               desc="predict_wide_shortlist", inputs=(T((12, 16), -3, 3),), grad=False),
    ModuleCase(module=asm_method("predict", 16, 10, [1, 2], div_value=2.0), name="AdaptiveLogSoftmaxWithLoss.predict",
               desc="predict_narrow_shortlist", inputs=(T((12, 16), -3, 3),), grad=False),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="empty_cutoffs", module=True, args=(8, 10, [])),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="unsorted_cutoffs", module=True, args=(8, 10, [5, 2])),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="cutoff_too_large", module=True, args=(8, 10, [2, 10])),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="duplicate_cutoffs", module=True, args=(8, 10, [2, 2])),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="target_out_of_range", module=True, args=(8, 6, [2]),
              call_inputs=(T((3, 8)), T((3,), 6, 9, dtype="int64"))),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="batch_mismatch", module=True, args=(8, 6, [2]),
              call_inputs=(T((3, 8)), T((2,), 0, 6, dtype="int64"))),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="2d_target", module=True, args=(8, 6, [2]),
              call_inputs=(T((3, 8)), T((3, 1), 0, 6, dtype="int64"))),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="0d_target_2d_input", module=True, args=(8, 6, [2]),
              call_inputs=(T((3, 8)), T((), 0, 6, dtype="int64"))),
]
# found by the fuzzer: label smoothing over zero classes divided by C = 0 (ZeroDivisionError); torch: NaN / 0
CASES += [
    OpCase(op="cross_entropy", desc="probabilities_zero_classes_label_smoothing", args=(T((0,)), T((0,))),
           kwargs={"label_smoothing": 0.1}),
    OpCase(op="cross_entropy", desc="probabilities_zero_classes_label_smoothing_sum", args=(T((2, 0)), T((2, 0))),
           kwargs={"label_smoothing": 0.1, "reduction": "sum"}),
]

for case in CASES:
    if SKIP and not isinstance(case, ErrorCase):
        case.skip = SKIP

# 0-d and empty inputs with gradients: unbatched inputs with a 0-d target (weights, smoothing, ignored),
# empty batches and empty spatial dims with every option, the modules, and 0-d inputs torch refuses
_CE_EDGE = []
for red in REDUCTIONS:
    _CE_EDGE += [
        OpCase(op="cross_entropy", desc=f"unbatched_weight_smoothing_{red}", args=(T((5,)), classes((), 5)),
               kwargs={"reduction": red, "weight": weight(5), "label_smoothing": 0.2}),
        OpCase(op="cross_entropy", desc=f"unbatched_ignored_{red}", args=(T((4,)), all_ignored((), 1)),
               kwargs={"reduction": red, "ignore_index": 1, "label_smoothing": 0.1}),
        OpCase(op="cross_entropy", desc=f"probs_unbatched_smoothing_{red}", args=(T((4,)), prob_targets((4,), 0)),
               kwargs={"reduction": red, "label_smoothing": 0.3}),
        OpCase(op="cross_entropy", desc=f"batch_zero_weight_smoothing_{red}", args=(T((0, 4)), classes((0,), 4)),
               kwargs={"reduction": red, "weight": weight(4), "label_smoothing": 0.1}),
        OpCase(op="cross_entropy", desc=f"empty_spatial_{red}", args=(T((2, 3, 0)), classes((2, 0), 3)),
               kwargs={"reduction": red, "label_smoothing": 0.2}),
        OpCase(op="cross_entropy", desc=f"probs_empty_spatial_{red}", args=(T((2, 3, 0)), T((2, 3, 0))),
               kwargs={"reduction": red}),
        OpCase(op="cross_entropy", desc=f"probs_batch_zero_weight_smoothing_{red}", args=(T((0, 3)), T((0, 3))),
               kwargs={"reduction": red, "weight": weight(3), "label_smoothing": 0.1}),
    ]
_CE_EDGE += [
    ModuleCase(module="CrossEntropyLoss", desc="unbatched", inputs=(T((5,)), classes((), 5))),
    ModuleCase(module="CrossEntropyLoss", desc="batch_zero_sum", ctor_kwargs={"reduction": "sum"},
               inputs=(T((0, 4)), classes((0,), 4))),
    ModuleCase(module=asm(8, 6, [2]), name="AdaptiveLogSoftmaxWithLoss", desc="batch_zero",
               inputs=(T((0, 8)), T((0,), 0, 6, dtype="int64"))),
    ModuleCase(module=asm_method("log_prob", 8, 6, [2]), name="AdaptiveLogSoftmaxWithLoss.log_prob",
               desc="batch_zero", inputs=(T((0, 8)),)),
    ErrorCase(op="cross_entropy", desc="probs_input_0d", args=(T(()), T(()))),
    ErrorCase(op="CrossEntropyLoss", desc="module_input_0d", module=True, call_inputs=(T(()), classes((), 1))),
    ErrorCase(op="AdaptiveLogSoftmaxWithLoss", desc="input_0d", module=True, args=(8, 6, [2]),
              call_inputs=(T(()), T((), 0, 6, dtype="int64"))),
]
for case in _CE_EDGE:
    if SKIP and not isinstance(case, ErrorCase):
        case.skip = SKIP
CASES += _CE_EDGE
