"""Every registry case against PyTorch 2.13.0, and refnn's determinism on the same cases."""
import collections

import pytest

import refnn
from tests.harness import determinism_runs, golden, run_case
from tests.harness.runner import case_id
from tests.registry import expanded

PAIRS = expanded()


@pytest.mark.parametrize("case,dtype", PAIRS, ids=[case_id(c, d) for c, d in PAIRS])
def test_conformance(case, dtype):
    result = run_case(case, dtype)
    if result.status == "skipped":
        pytest.skip(result.reason)
    if result.status == "xfail":
        pytest.xfail(result.reason)
    if result.status == "xpass":
        pytest.fail(f"expected failure now passes (remove the xfail): {result.reason}")
    # "disagrees": torch's answer in place differs from its answer for the element alone, and refnn gives
    # the latter (harness/pointwise.py); the report lists these cases under their own heading
    assert result.status in ("passed", "disagrees"), result.message


DET_PAIRS = [(c, d) for c, d in PAIRS if type(c).__name__ != "ErrorCase" and not c.skip and not c.xfail]


@pytest.mark.parametrize("case,dtype", DET_PAIRS, ids=[case_id(c, d) for c, d in DET_PAIRS])
def test_determinism(case, dtype):
    """Same inputs twice and at 1 vs 2 threads: bit-identical outputs and gradients, equal to the golden
    digest committed in tests/golden/digests.json (the same bits on every machine and kernel build)."""
    first, again, two = determinism_runs(case, dtype)
    assert first == again, "two runs at 1 thread differ"
    assert first == two, "1 thread and 2 threads differ"
    expected = golden.load().get(case_id(case, dtype))
    assert expected is not None, "no golden digest for this case: run tools/golden_digests.py --update"
    assert golden.digest(first) == expected, (
        f"refnn's bits differ from the golden digest (kernel build {refnn.kernel_build()}); if the change is "
        "deliberate, run tools/golden_digests.py --update and commit the new digests")


def test_case_ids_are_unique():
    """Every (case, dtype) has its own id: the golden digests and the report are keyed by it."""
    counts = collections.Counter(case_id(c, d) for c, d in PAIRS)
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    assert not duplicates, f"registry case ids used twice (give one a new desc): {duplicates}"
