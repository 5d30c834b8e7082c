"""The harness's comparison: its error figures stay meaningful near zero, and its messages are plain."""
import numpy as np

from tests.harness.compare import TOLERANCES, compare


def test_zeros_signed_zeros_and_tiny_references_do_not_blow_up_the_figures():
    # torch 1e-30 / -0.0 / 0.0, refnn -1e-30 / 0.0 / 3e-6: every one passes on atol
    expected = np.array([1e-30, -0.0, 0.0, 2.0], np.float32)
    actual = np.array([-1e-30, 0.0, 3e-6, np.nextafter(np.float32(2.0), np.float32(3.0))], np.float32)
    ok, message, metrics = compare("output", actual, expected, "float32")
    assert ok and message == ""
    assert metrics["max_abs"] == np.float32(3e-6)
    assert metrics["max_rel"] == 2 ** -23           # only the element above atol counts: 1 ULP (2**-22) at 2.0
    assert metrics["max_ulp"] == 1.0


def test_signed_zero_counts_zero_ulp():
    ok, _, metrics = compare("output", np.array([0.0, -0.0]), np.array([-0.0, 0.0]), "float64")
    assert ok and metrics == {"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}


def test_float64_tensor_of_a_float32_case_counts_float32_ulps():
    # a float64 bias gradient in a float32 case, accumulated in float32 by both libraries
    a, e = np.array(2.98919797), np.array(2.98919749)
    ok, _, metrics = compare("grad of input 2", a, e, "float32")
    assert ok and metrics["max_ulp"] <= 3


def test_pass_and_fail_follow_the_tolerance():
    rtol, atol = TOLERANCES["float32"]
    expected = np.array([1.0, 0.0], np.float32)
    inside = np.array([1.0 + rtol / 2, atol / 2], np.float32)
    outside = np.array([1.0, 4e-5], np.float32)     # atol is 1e-5
    assert compare("output", inside, expected, "float32")[0]
    ok, message, metrics = compare("output", outside, expected, "float32")
    assert not ok
    assert message == (f"output: 1 of 2 values outside rtol={rtol}, atol={atol}, first at (1,): refnn "
                       f"4e-05 vs torch 0.0; max abs of finite differences "
                       f"{metrics['max_abs']:.3g}")


def test_non_finite_mismatch_is_named_and_kept_out_of_the_figures():
    expected = np.array([1.0, 2.0, 3.0, np.nan, np.inf], np.float32)
    actual = np.array([1.0, 2.0000002, 3.0, np.inf, np.inf], np.float32)
    ok, message, metrics = compare("output", actual, expected, "float32")
    assert not ok
    assert message == ("output: 1 non-finite mismatch (first at (3,): refnn inf vs torch nan); "
                       "max abs of finite differences 2.38e-07")
    assert metrics["max_ulp"] == 1.0
    ok, message, _ = compare("output", np.array([np.inf, -np.inf, 0.0]), np.array([-np.inf, np.inf, np.nan]),
                             "float64")
    assert not ok and message.startswith("output: 3 non-finite mismatches (first at (0,): refnn inf vs torch -inf)")


def test_messages_print_plain_numbers():
    ok, message, _ = compare("indices", np.array([[0, 1], [2, 5]], np.int64), np.array([[0, 1], [2, 4]], np.int64),
                             "float32")
    assert not ok
    assert message == "indices: 1 of 4 values differ (exact match required), first at (1, 1): refnn 5 vs torch 4"
    ok, message, _ = compare("output", np.array([np.nan], np.float32), np.array([np.float32(0.5)]), "float32")
    assert "np." not in message and "refnn nan vs torch 0.5" in message
