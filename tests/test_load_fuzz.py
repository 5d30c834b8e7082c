"""refnn.load fuzzed with corrupted and truncated checkpoints (issue 10).

Each example takes a checkpoint torch wrote (zip or legacy format) and damages it: bytes flipped,
overwritten, inserted or deleted, or the file cut short, either in the raw file or inside the zip's
``data.pkl`` record (re-zipped, so the pickle itself is what is damaged).  The contract:

- ``refnn.load`` returns a dict whose tensors hold NumPy arrays, or raises ``RuntimeError`` or
  ``pickle.UnpicklingError`` -- never anything else, never a crash, never an "exception ignored" report;
- when it returns, torch (``weights_only=True``) reading the same bytes finds the same keys, values and
  dtypes wherever torch reads the file at all (torch refuses some files refnn accepts: see ``_agree``).

The budget is ``REFNN_FUZZ_EXAMPLES`` (default 150) examples per format.
"""
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refnn

EXAMPLES = int(os.environ.get("REFNN_FUZZ_EXAMPLES", "150"))


def _checkpoints():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Flatten(),
                                torch.nn.Linear(12, 2))
    state = model.state_dict()
    state["half"] = torch.randn(3).half()
    state["mask"] = torch.tensor([True, False])
    blobs = {}
    for name, zip_format in (("zip", True), ("legacy", False)):
        buffer = io.BytesIO()
        torch.save(state, buffer, _use_new_zipfile_serialization=zip_format)
        blobs[name] = buffer.getvalue()
    return blobs


BLOBS = _checkpoints()
with zipfile.ZipFile(io.BytesIO(BLOBS["zip"])) as _archive:
    RECORDS = {name: _archive.read(name) for name in _archive.namelist()}
PICKLE = next(name for name in RECORDS if name.endswith("/data.pkl"))


@st.composite
def damaged(draw, data):
    """``data`` with one kind of damage applied 1-4 times (or cut short once)."""
    kind = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "truncate"]))
    out = bytearray(data)
    if kind == "truncate":
        return bytes(out[:draw(st.integers(0, len(out) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            out[at:at + len(chunk)] = chunk
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del out[at:at + draw(st.integers(1, 8))]
    return bytes(out)


@st.composite
def damaged_pickle(draw):
    """The zip checkpoint with only its data.pkl damaged, re-zipped (stored, valid CRCs)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, raw in RECORDS.items():
            archive.writestr(name, draw(damaged(raw)) if name == PICKLE else raw)
    return out.getvalue()


def _load(data):
    """refnn.load on the bytes: the loaded dict, or None when it refused the file cleanly."""
    try:
        loaded = refnn.load(io.BytesIO(data))
    except (RuntimeError, pickle.UnpicklingError) as exc:
        assert str(exc), "an error without a message"
        return None
    assert isinstance(loaded, (dict, refnn.Tensor)), type(loaded)     # torch.save(tensor) loads a tensor
    for value in loaded.values() if isinstance(loaded, dict) else [loaded]:
        if isinstance(value, refnn.Tensor):
            assert type(value.data) is np.ndarray
    return loaded


def _agree(data, loaded):
    """What refnn loaded is what torch loads from the same bytes, where torch loads them at all: torch's
    zip reader is stricter about damaged headers in places Python's zipfile verifies through the CRCs,
    and its weights-only unpickler refuses strings that are not strict UTF-8."""
    try:
        expected = torch.load(io.BytesIO(data), weights_only=True)
    except Exception:  # noqa: BLE001
        return
    if isinstance(expected, torch.Tensor):
        expected, loaded = {"": expected}, {"": loaded}
    assert list(expected) == list(loaded)
    for key, want in expected.items():
        got = loaded[key]
        if not isinstance(want, torch.Tensor):
            assert got == want, key
            continue
        want = (want.float() if want.dtype == torch.bfloat16 else want).numpy()
        assert isinstance(got, refnn.Tensor), key
        assert got.data.dtype == want.dtype and got.data.shape == want.shape, key
        assert np.array_equal(got.data, want, equal_nan=want.dtype.kind == "f"), key


FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
NO_UNRAISABLE = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
pytestmark = pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")   # torch, on mutants


@NO_UNRAISABLE
@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_damaged_file(fmt):
    @FUZZ
    @given(damaged(BLOBS[fmt]))
    def check(data):
        loaded = _load(data)
        if loaded is not None:
            _agree(data, loaded)

    check()


@NO_UNRAISABLE
@FUZZ
@given(damaged_pickle())
def test_damaged_pickle_record(data):
    loaded = _load(data)
    if loaded is not None:
        _agree(data, loaded)


def test_undamaged_files_load():
    """The fuzzers' starting points load, and agree with torch: a check that the oracle above can pass."""
    for data in BLOBS.values():
        loaded = _load(data)
        assert loaded is not None and len(loaded) == 11
        _agree(data, loaded)


def test_big_endian_legacy_checkpoint():
    """A legacy file written on a big-endian machine (sys_info little_endian=False) is byte-swapped: its
    data pickle is the one refnn.save writes, its storage count and bytes big-endian."""
    import struct
    value = np.arange(3, dtype=np.float32) - 1.5
    archive = io.BytesIO()
    refnn.save({"w": refnn.Tensor(value)}, archive)
    with zipfile.ZipFile(archive) as z:
        data_pickle = z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))
    stream = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": False}):
        pickle.dump(header, stream, protocol=2)
    stream.write(data_pickle)
    pickle.dump(["0"], stream, protocol=2)
    stream.write(struct.pack(">q", 3) + value.astype(">f4").tobytes())
    loaded = refnn.load(io.BytesIO(stream.getvalue()))
    np.testing.assert_array_equal(loaded["w"].data, value)


def test_fuzzer_finds_an_unguarded_parse_error(monkeypatch):
    """The guard works: with refnn.load's error conversion removed, the fuzzer above finds a file that
    escapes as something other than RuntimeError/UnpicklingError."""
    from refnn import serialization
    monkeypatch.setattr(serialization._corruption_as_error, "__exit__", lambda self, *exc: False)

    @FUZZ
    @given(damaged(BLOBS["legacy"]))
    def check(data):
        _load(data)

    with pytest.raises(Exception) as found:
        check()
    assert not isinstance(found.value, (RuntimeError, pickle.UnpicklingError)), found.value
