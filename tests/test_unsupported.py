"""Each feature refnn does not support (tests/registry/_unsupported.py) is refused cleanly, by name, where
torch accepts it: an unsupported feature is a recorded decision, never a silent gap."""
import pytest
import torch

import refnn
import refnn.nn.functional  # noqa: F401
import refnn.optim  # noqa: F401
from tests.registry._unsupported import UNSUPPORTED


@pytest.mark.parametrize("entry", UNSUPPORTED, ids=[u.feature for u in UNSUPPORTED])
def test_unsupported_feature_refused_with_its_reason(entry):
    assert entry.reason
    entry.torch_probe(torch)
    with pytest.raises(entry.raises, match=entry.message):
        entry.probe(refnn)
