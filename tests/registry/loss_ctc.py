"""CTC loss: F.ctc_loss and CTCLoss (padded and concatenated targets, tensor and tuple lengths, unbatched
input, blank, zero_infinity, every reduction) and its argument errors."""
import math

import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.loss import REDUCTIONS

CASES = []


def log_probs(shape, layout="contiguous"):
    """Log-probabilities normalised over the last dim (the classes); exp and log from the C library so the
    inputs are the same bits on every machine."""
    def gen(rng, shape_, dtype):
        x = rng.standard_normal(shape_)
        total = np.vectorize(math.exp, otypes=[np.float64])(x).sum(axis=-1, keepdims=True)
        return (x - np.vectorize(math.log, otypes=[np.float64])(total)).astype(dtype)
    return T(shape, gen=gen, layout=layout)


def labels(shape, C, blank=0, repeats=False, dtype="int64"):
    """Target labels in [0, C) other than blank; with repeats, runs of equal labels (a blank must separate them)."""
    def gen(rng, shape_, _):
        choices = np.array([c for c in range(C) if c != blank])
        out = rng.choice(choices, size=shape_)
        if repeats and out.size > 1:
            flat = out.reshape(-1)
            flat[1::3] = flat[0:-1:3][:flat[1::3].size]
        return out.astype(dtype)
    return T(shape, dtype=dtype, gen=gen)


def lengths(values, dtype="int64"):
    return T((len(values),), dtype=dtype, gen=lambda rng, s, d: np.array(values, dtype=dtype))


def length_0d(value):
    return T((), dtype="int64", gen=lambda rng, s, d: np.array(value, dtype=np.int64))


def ctc(**kwargs):
    """A call of ctc_loss with tuple lengths (positional: log_probs, targets) and fixed keyword arguments."""
    il, tl = kwargs.pop("input_lengths"), kwargs.pop("target_lengths")
    return lambda F, lp, tg: F.ctc_loss(lp, tg, il, tl, **kwargs)


for red in REDUCTIONS:
    CASES += [
        OpCase(op="ctc_loss", desc=f"padded_{red}",
               args=(log_probs((12, 3, 5)), labels((3, 4), 5), lengths([12, 10, 7]), lengths([4, 3, 2])),
               kwargs={"reduction": red}),
        OpCase(op="ctc_loss", desc=f"concatenated_tuple_lengths_{red}",
               args=(log_probs((10, 3, 6)), labels((9,), 6)),
               call=ctc(input_lengths=(10, 9, 8), target_lengths=(4, 3, 2), reduction=red)),
        OpCase(op="ctc_loss", desc=f"repeated_labels_{red}",
               args=(log_probs((15, 2, 4)), labels((2, 6), 4, repeats=True), lengths([15, 14]), lengths([6, 5])),
               kwargs={"reduction": red}),
        OpCase(op="ctc_loss", desc=f"blank_last_{red}",
               args=(log_probs((9, 2, 5)), labels((2, 3), 5, blank=4), lengths([9, 6]), lengths([3, 2])),
               kwargs={"reduction": red, "blank": 4}),
        # an input too short for its target: inf loss (NaN gradient), or 0 and a zero gradient with zero_infinity
        OpCase(op="ctc_loss", desc=f"impossible_{red}",
               args=(log_probs((6, 2, 4)), labels((2, 4), 4), lengths([6, 3]), lengths([2, 4])),
               kwargs={"reduction": red}),
        OpCase(op="ctc_loss", desc=f"impossible_zero_infinity_{red}",
               args=(log_probs((6, 2, 4)), labels((2, 4), 4), lengths([6, 3]), lengths([2, 4])),
               kwargs={"reduction": red, "zero_infinity": True}),
        OpCase(op="ctc_loss", desc=f"unbatched_{red}",
               args=(log_probs((8, 5)), labels((3,), 5), length_0d(8), length_0d(3)), kwargs={"reduction": red}),
        OpCase(op="ctc_loss", desc=f"empty_targets_{red}",
               args=(log_probs((5, 2, 3)), labels((2, 0), 3), lengths([5, 4]), lengths([0, 0])),
               kwargs={"reduction": red}),
        OpCase(op="ctc_loss", desc=f"zero_input_length_{red}",
               args=(log_probs((5, 3, 3)), labels((3, 2), 3), lengths([0, 0, 5]), lengths([0, 2, 2])),
               kwargs={"reduction": red, "zero_infinity": red == "sum"}),
        ModuleCase(module="CTCLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(log_probs((10, 2, 4)), labels((2, 3), 4), lengths([10, 8]), lengths([3, 3]))),
    ]
CASES += [
    OpCase(op="ctc_loss", desc="long_sequences",
           args=(log_probs((60, 3, 12)), labels((3, 20), 12, repeats=True), lengths([60, 55, 41]),
                 lengths([20, 17, 11]))),
    OpCase(op="ctc_loss", desc="unbatched_tuples", args=(log_probs((8, 5)), labels((3,), 5)),
           call=ctc(input_lengths=(8,), target_lengths=(3,), reduction="none")),
    OpCase(op="ctc_loss", desc="unbatched_padded_target", args=(log_probs((8, 5)), labels((1, 4), 5)),
           call=ctc(input_lengths=(7,), target_lengths=(3,), reduction="sum")),
    OpCase(op="ctc_loss", desc="int32_targets_uint8_lengths",
           args=(log_probs((7, 2, 4)), labels((2, 3), 4, dtype="int32"), lengths([7, 6], "uint8"),
                 lengths([3, 2], "int16"))),
    OpCase(op="ctc_loss", desc="float_targets",
           args=(log_probs((7, 2, 4)), T((2, 3), 1, 3.99, requires_grad=False), lengths([7, 6]), lengths([3, 2]))),
    OpCase(op="ctc_loss", desc="lengths_2d_tensor",
           args=(log_probs((7, 2, 4)), labels((2, 3), 4), T((1, 2), dtype="int64", gen=lambda r, s, d: np.array(
               [[7, 5]])), T((2, 1), dtype="int64", gen=lambda r, s, d: np.array([[3], [1]])))),
    OpCase(op="ctc_loss", desc="padding_beyond_lengths_ignored",
           args=(log_probs((7, 2, 4)), T((2, 5), dtype="int64", gen=lambda r, s, d: np.array(
               [[1, 2, 3, -1, 99], [3, 3, 7, 7, 7]])), lengths([7, 7]), lengths([3, 2])), kwargs={"reduction": "none"}),
    OpCase(op="ctc_loss", desc="noncontig_log_probs",
           args=(log_probs((9, 3, 4), layout="strided"), labels((3, 3), 4), lengths([9, 8, 9]), lengths([3, 3, 1]))),
    OpCase(op="ctc_loss", desc="unnormalised_log_probs",
           args=(T((8, 2, 5), -3, 0), labels((2, 3), 5), lengths([8, 6]), lengths([3, 2]))),
    OpCase(op="ctc_loss", desc="target_is_blank_label",
           args=(log_probs((8, 2, 5)), T((2, 3), dtype="int64", gen=lambda r, s, d: np.array([[1, 0, 2], [0, 0, 3]])),
                 lengths([8, 8]), lengths([3, 3])), kwargs={"reduction": "none"}),
    OpCase(op="ctc_loss", desc="single_class_blank_only",
           args=(log_probs((4, 2, 1)), labels((2, 0), 2), lengths([4, 2]), lengths([0, 0])),
           kwargs={"reduction": "none"}),
    ModuleCase(module="CTCLoss", desc="blank_zero_infinity", ctor_kwargs={"blank": 2, "zero_infinity": True},
               inputs=(log_probs((6, 3, 4)), labels((3, 4), 4, blank=2), lengths([6, 6, 3]), lengths([2, 3, 3]))),
    ModuleCase(module="CTCLoss", desc="unbatched", ctor_kwargs={"reduction": "none"},
               inputs=(log_probs((6, 4)), labels((2,), 4), length_0d(6), length_0d(2))),
]

# errors, in torch's order of checks
_LP, _TG, _IL, _TL = log_probs((6, 2, 4)), labels((2, 3), 4), lengths([6, 5]), lengths([3, 2])
CASES += [
    ErrorCase(op="ctc_loss", desc="bad_reduction", args=(_LP, _TG, _IL, _TL), kwargs={"reduction": "avg"}),
    ErrorCase(op="ctc_loss", desc="mixed_tensor_and_tuple_lengths", args=(_LP, _TG, _IL),
              call=lambda lib, lp, tg, il: lib.F.ctc_loss(lp, tg, il, (3, 2))),
    ErrorCase(op="ctc_loss", desc="int_lengths", args=(log_probs((6, 4)), labels((3,), 4)),
              call=lambda lib, lp, tg: lib.F.ctc_loss(lp, tg, 6, 3)),
    ErrorCase(op="ctc_loss", desc="float_tuple_lengths", args=(_LP, _TG),
              call=lambda lib, lp, tg: lib.F.ctc_loss(lp, tg, (6.0, 5.0), (3, 2))),
    ErrorCase(op="ctc_loss", desc="float_blank", args=(_LP, _TG, _IL, _TL), kwargs={"blank": 0.5}),
    ErrorCase(op="ctc_loss", desc="bool_blank", args=(_LP, _TG, _IL, _TL), kwargs={"blank": True}),
    ErrorCase(op="ctc_loss", desc="int_zero_infinity", args=(_LP, _TG, _IL, _TL), kwargs={"zero_infinity": 1}),
    ErrorCase(op="ctc_loss", desc="float_length_tensor", args=(_LP, _TG, T((2,), 5, 6), _TL)),
    ErrorCase(op="ctc_loss", desc="bool_length_tensor", args=(_LP, _TG, _IL, T((2,), dtype="bool"))),
    ErrorCase(op="ctc_loss", desc="int_log_probs", args=(T((6, 2, 4), 0, 3, dtype="int64"), _TG, _IL, _TL)),
    ErrorCase(op="ctc_loss", desc="empty_log_probs", args=(T((0, 2, 4)), _TG, lengths([0, 0]), _TL)),
    ErrorCase(op="ctc_loss", desc="4d_log_probs", args=(T((1, 6, 2, 4)), _TG, _IL, _TL)),
    ErrorCase(op="ctc_loss", desc="1d_log_probs", args=(T((6,)), labels((3,), 4), length_0d(6), length_0d(3))),
    ErrorCase(op="ctc_loss", desc="3d_targets", args=(_LP, labels((2, 3, 1), 4), _IL, _TL)),
    ErrorCase(op="ctc_loss", desc="0d_targets", args=(_LP, labels((), 4), _IL, _TL)),
    ErrorCase(op="ctc_loss", desc="blank_too_big", args=(_LP, _TG, _IL, _TL), kwargs={"blank": 4}),
    ErrorCase(op="ctc_loss", desc="blank_negative", args=(_LP, _TG, _IL, _TL), kwargs={"blank": -1}),
    ErrorCase(op="ctc_loss", desc="input_lengths_size", args=(_LP, _TG, lengths([6, 5, 4]), _TL)),
    ErrorCase(op="ctc_loss", desc="target_lengths_size", args=(_LP, _TG, _IL, lengths([3]))),
    ErrorCase(op="ctc_loss", desc="target_length_negative", args=(_LP, _TG, _IL, lengths([-1, 2]))),
    ErrorCase(op="ctc_loss", desc="target_length_over_padded", args=(_LP, _TG, _IL, lengths([4, 2]))),
    ErrorCase(op="ctc_loss", desc="padded_batch_mismatch", args=(_LP, labels((1, 3), 4), _IL, _TL)),
    ErrorCase(op="ctc_loss", desc="concatenated_size_mismatch", args=(_LP, labels((6,), 4), _IL, _TL)),
    ErrorCase(op="ctc_loss", desc="input_length_over_T", args=(_LP, _TG, lengths([7, 5]), _TL)),
    ErrorCase(op="ctc_loss", desc="input_length_negative", args=(_LP, _TG, lengths([-1, 5]), _TL)),
    ErrorCase(op="ctc_loss", desc="unbatched_two_lengths", args=(log_probs((6, 4)), labels((3,), 4)),
              call=lambda lib, lp, tg: lib.F.ctc_loss(lp, tg, (6, 6), (3, 3))),
    ErrorCase(op="CTCLoss", desc="module_bad_reduction", module=True, kwargs={"reduction": "bad"},
              call_inputs=(_LP, _TG, _IL, _TL)),
]
