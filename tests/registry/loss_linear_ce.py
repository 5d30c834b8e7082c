"""linear_cross_entropy / LinearCrossEntropyLoss (torch 2.13's reference path: linear, then cross_entropy)
and NLLLoss2d (NLLLoss under its old name)."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.loss import REDUCTIONS, classes, lib_tensor, log_probs, weight
from tests.registry.loss_ce import prob_targets

CASES = []

for red in REDUCTIONS:
    CASES += [
        OpCase(op="linear_cross_entropy", desc=f"indices_{red}", args=(T((6, 4)), T((5, 4)), classes((6,), 5)),
               kwargs={"reduction": red}),
        OpCase(op="linear_cross_entropy", desc=f"bias_weight_ignore_{red}",
               args=(T((7, 3)), T((4, 3)), classes((7,), 4, -100)),
               kwargs={"reduction": red, "linear_bias": T((4,)), "weight": weight(4)}),
        OpCase(op="linear_cross_entropy", desc=f"probabilities_{red}",
               args=(T((5, 3)), T((4, 3)), prob_targets((5, 4))), kwargs={"reduction": red}),
        OpCase(op="linear_cross_entropy", desc=f"k_dim_{red}", args=(T((3, 4)), T((5, 2, 3, 4)), classes((3, 2, 3), 5)),
               kwargs={"reduction": red, "linear_bias": T((5, 2, 3))}),
        ModuleCase(module="LinearCrossEntropyLoss", desc=red, ctor_args=(4, 6), ctor_kwargs={"reduction": red},
                   inputs=(T((5, 4)), classes((5,), 6))),
    ]
CASES += [
    OpCase(op="linear_cross_entropy", desc="unbatched", args=(T((4,)), T((5, 4)), classes((), 5))),
    OpCase(op="linear_cross_entropy", desc="ignore_index_label_smoothing",
           args=(T((6, 4)), T((5, 4)), classes((6,), 5, 2)), kwargs={"ignore_index": 2, "label_smoothing": 0.2}),
    OpCase(op="linear_cross_entropy", desc="empty_batch", args=(T((0, 4)), T((5, 4)), classes((0,), 5)),
           kwargs={"reduction": "sum"}),
    ModuleCase(module="LinearCrossEntropyLoss", desc="bias_out_features", ctor_args=(3, 4),
               ctor_kwargs={"bias": True, "out_features": (2,), "ignore_index": 1, "label_smoothing": 0.1},
               inputs=(T((5, 3)), classes((5, 2), 4))),
    ModuleCase(module=lambda nn, F: nn.LinearCrossEntropyLoss(3, 4, weight=lib_tensor(nn, [0.5, 1.0, 2.0, 1.5])),
               name="LinearCrossEntropyLoss", desc="weight_buffer", inputs=(T((6, 3)), classes((6,), 4))),
    ErrorCase(op="linear_cross_entropy", desc="3d_input", args=(T((2, 3, 4)), T((5, 4)), classes((2, 3), 5))),
    ErrorCase(op="linear_cross_entropy", desc="1d_weight", args=(T((3, 4)), T((4,)), classes((3,), 4))),
    ErrorCase(op="linear_cross_entropy", desc="in_features_differ", args=(T((3, 4)), T((5, 3)), classes((3,), 5))),
    ErrorCase(op="linear_cross_entropy", desc="bias_shape", args=(T((3, 4)), T((5, 4)), classes((3,), 5)),
              kwargs={"linear_bias": T((4,))}),
    ErrorCase(op="linear_cross_entropy", desc="k_dim_unbatched", args=(T((4,)), T((5, 2, 4)), classes((2,), 5))),
    ErrorCase(op="linear_cross_entropy", desc="ignore_index_with_probabilities",
              args=(T((5, 3)), T((4, 3)), prob_targets((5, 4))), kwargs={"ignore_index": -100}),
    ErrorCase(op="linear_cross_entropy", desc="target_out_of_range", args=(T((3, 4)), T((5, 4)),
                                                                           T((3,), 5, 7, dtype="int64"))),
    ErrorCase(op="LinearCrossEntropyLoss", desc="module_weight_shape", module=True,
              call=lambda lib: lib.nn.LinearCrossEntropyLoss(3, 4, weight=lib.tensor([1.0, 2.0]))),
    ErrorCase(op="LinearCrossEntropyLoss", desc="module_label_smoothing", module=True, args=(3, 4),
              kwargs={"label_smoothing": 1.5}),
]

# NLLLoss2d: the deprecated alias
CASES += [
    ModuleCase(module="NLLLoss2d", desc="4d", inputs=(log_probs((2, 3, 2, 2)), classes((2, 2, 2), 3))),
    ModuleCase(module="NLLLoss2d", desc="sum_ignore", ctor_kwargs={"reduction": "sum", "ignore_index": 1},
               inputs=(log_probs((2, 3, 4)), classes((2, 4), 3, 1))),
    ModuleCase(module=lambda nn, F: nn.NLLLoss2d(weight=lib_tensor(nn, [0.5, 1.0, 2.0])), name="NLLLoss2d",
               desc="weight_buffer", inputs=(log_probs((4, 3)), classes((4,), 3))),
]
