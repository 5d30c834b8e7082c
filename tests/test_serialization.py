"""refnn.load / refnn.save against torch.save / torch.load, and crafted files refused."""
import io
import os
import pickle
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

import refnn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _state():
    torch.manual_seed(0)
    sd = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).state_dict()
    sd["f64"] = torch.randn(2, 3, dtype=torch.float64)
    sd["f16"] = torch.randn(5).half()
    sd["bf16"] = torch.randn(5).bfloat16()
    sd["i64"] = torch.tensor(7)
    sd["mask"] = torch.tensor([True, False, True])
    sd["view"] = torch.arange(12.0).reshape(3, 4).t()[1:]    # strided view with an offset
    sd["empty"] = torch.zeros(0, 3)
    return sd


def _expected(t):
    if t.dtype == torch.bfloat16:
        return t.float().numpy()
    return t.numpy()


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_load_torch_checkpoint(tmp_path, zip_format):
    sd = _state()
    path = tmp_path / "model.pt"
    torch.save(sd, path, _use_new_zipfile_serialization=zip_format)
    loaded = refnn.load(path)
    assert list(loaded) == list(sd)
    for key, value in sd.items():
        np.testing.assert_array_equal(loaded[key].data, _expected(value), err_msg=key)
        assert loaded[key].data.dtype == _expected(value).dtype


def test_save_reads_back_in_torch(tmp_path):
    sd = {k: v for k, v in _state().items() if v.dtype != torch.bfloat16}
    loaded = refnn.load(_save_torch(tmp_path, sd))
    out = tmp_path / "refnn.pt"
    refnn.save(loaded, out)
    back = torch.load(out, weights_only=True)
    assert list(back) == list(sd)
    for key, value in sd.items():
        assert back[key].dtype == value.dtype
        torch.testing.assert_close(back[key], value.contiguous(), rtol=0, atol=0)


def _save_torch(tmp_path, sd):
    path = tmp_path / "t.pt"
    torch.save(sd, path)
    return path


def test_safetensors_round_trip(tmp_path):
    sd = {"w": refnn.tensor(np.arange(6, dtype=np.float32).reshape(2, 3)), "n": refnn.tensor([1, 2])}
    path = tmp_path / "m.safetensors"
    refnn.save(sd, path)
    back = refnn.load(path)
    for k in sd:
        np.testing.assert_array_equal(back[k].data, sd[k].data)


def test_dataparallel_checkpoint_into_plain_model(tmp_path):
    tm = torch.nn.DataParallel(torch.nn.Linear(2, 2))
    torch.save(tm.state_dict(), tmp_path / "dp.pt")
    state = refnn.load(tmp_path / "dp.pt")
    model = refnn.nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "weight", "bias"'):
        model.load_state_dict(state)
    model.load_state_dict(refnn.serialization.strip_prefix(state))
    np.testing.assert_array_equal(model.weight.data, tm.module.weight.detach().numpy())


EXAMPLE_MODELS = {  # builder name -> input shape
    "lenet": (2, 3, 32, 32),
    "mnist_convnet": (1, 1, 28, 28),
    "naming_example1": (2, 3, 5, 5),
    "naming_example2": (2, 3, 5, 5),
}


def test_example_networks_load_without_torch_in_subprocess(tmp_path):
    """Example networks saved by torch run in refnn, in a process where importing torch fails."""
    from tests.registry import models
    rng = np.random.default_rng(0)
    expected = {}
    for name, shape in EXAMPLE_MODELS.items():
        torch.manual_seed(0)
        tm = getattr(models, name)(torch.nn, torch.nn.functional)
        if "naming" in name:   # give the BatchNorm layers running statistics worth loading
            tm(torch.from_numpy(rng.standard_normal(shape).astype(np.float32)))
        tm.eval()
        torch.save(tm.state_dict(), tmp_path / f"{name}.pt")
        x = rng.standard_normal(shape).astype(np.float32)
        np.save(tmp_path / f"{name}_x.npy", x)
        expected[name] = tm(torch.from_numpy(x)).detach().numpy()
    script = textwrap.dedent(f"""
        import sys
        class _Block:
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ImportError("torch is blocked in this test")
        sys.meta_path.insert(0, _Block())
        sys.path.insert(0, {ROOT!r})
        import numpy as np, refnn
        from tests.registry import models
        for name in {list(EXAMPLE_MODELS)!r}:
            m = getattr(models, name)(refnn.nn, refnn.nn.functional)
            m.load_state_dict(refnn.load(f"{{name}}.pt"))
            m.eval()
            np.save(f"{{name}}_y.npy", m(refnn.tensor(np.load(f"{{name}}_x.npy"))).data)
        assert "torch" not in sys.modules
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)
    for name in EXAMPLE_MODELS:
        np.testing.assert_allclose(np.load(tmp_path / f"{name}_y.npy"), expected[name],
                                   rtol=1.3e-6, atol=1e-5, err_msg=name)


# ---------------------------------------------------------------- crafted files
def _zip_with(pkl_bytes, records=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("archive/data.pkl", pkl_bytes)
        for name, raw in (records or {}).items():
            z.writestr(f"archive/data/{name}", raw)
        z.writestr("archive/version", "3\n")
    buffer.seek(0)
    return buffer


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_refuses_code_globals(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        refnn.load(_zip_with(pickle.dumps({"w": _Evil()}, protocol=2)))
    assert not (tmp_path / "pwned.txt").exists()




def test_refuses_storage_larger_than_file():
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(4)}, buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as z:
        records = {n: z.read(n) for n in z.namelist()}
    pkl_name = [n for n in records if n.endswith("data.pkl")][0]
    data_name = [n for n in records if "/data/" in n][0]
    crafted = _zip_with(records[pkl_name], {data_name.rsplit("/", 1)[1]: records[data_name][:8]})
    with pytest.raises(pickle.UnpicklingError, match="the record holds 8 bytes, but the checkpoint describes 4 FloatStorage elements"):
        refnn.load(crafted)


def test_refuses_negative_offset_and_missing_record():
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(4)}, buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as z:
        records = {n: z.read(n) for n in z.namelist()}
    pkl = [v for n, v in records.items() if n.endswith("data.pkl")][0]
    # the offset is pickled as BININT1 0 right after BINPERSID ('Q'); rewrite it as BININT -1
    i = pkl.index(b"Q") + 1
    assert pkl[i:i + 2] == b"K\x00"
    crafted = pkl[:i] + b"J\xff\xff\xff\xff" + pkl[i + 2:]
    with pytest.raises(pickle.UnpicklingError, match="invalid tensor geometry"):
        refnn.load(_zip_with(crafted, {"0": b"\x00" * 16}))
    with pytest.raises(pickle.UnpicklingError, match="missing from the archive"):
        refnn.load(_zip_with(pkl))


def test_refuses_whole_model_and_garbage(tmp_path):
    torch.save(torch.nn.Linear(2, 2), tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError, match="refusing the global"):
        refnn.load(tmp_path / "model.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint at all")
    with pytest.raises(RuntimeError):
        refnn.load(tmp_path / "junk.pt")
    good = tmp_path / "good.pt"
    torch.save({"w": torch.zeros(100)}, good)
    (tmp_path / "cut.pt").write_bytes(good.read_bytes()[:300])
    with pytest.raises(RuntimeError):
        refnn.load(tmp_path / "cut.pt")
