"""tools/bench.py: runs workloads side by side, records errors, writes JSON (no timing assertions)."""
import json

import numpy as np
import pytest

from tools import bench
from tools.workloads import Workload, all_workloads


def _tiny():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((4, 8), dtype=np.float32), "w": rng.standard_normal((3, 8), dtype=np.float32)}


def _fwd_bwd(t):
    def step():
        out = t["F"].linear(t["x"], t["w"])
        out.backward(t["lib"].ones(out.shape) if hasattr(t["lib"], "ones") else None)
        return out
    return step


def _broken(r):
    def step():
        raise NotImplementedError("not yet")
    return step


WORKLOADS = [
    Workload(name="tiny linear fwd+bwd", family="test", make_inputs=_tiny, torch_fn=_fwd_bwd, refnn_fn=_fwd_bwd,
             flops=3 * 2 * 4 * 8 * 3, grad_inputs=("x", "w")),
    Workload(name="tiny broken", family="test", make_inputs=_tiny, torch_fn=lambda t: (lambda: t["x"]),
             refnn_fn=_broken, bytes=4 * 8 * 4),
]


def test_registry_loads_and_lenet_is_graceful():
    workloads = all_workloads()
    assert any(w.family == "linear" for w in workloads)
    from tools.workloads import lenet
    assert isinstance(lenet.WORKLOADS, list)
    assert bool(lenet.WORKLOADS) == (not lenet.MISSING)


def test_bench_json(tmp_path, monkeypatch, capsys):
    import tools.workloads
    monkeypatch.setattr(tools.workloads, "all_workloads", lambda: WORKLOADS)
    path = tmp_path / "bench.json"
    code = bench.main(["--only", "tiny", "--threads", "1,2", "--repeat", "1", "--warmup", "0", "--min-time", "0",
                       "--json", str(path)])
    assert code == 0
    data = json.loads(path.read_text())
    assert data["schema_version"] == bench.SCHEMA_VERSION
    rows = {(r["name"], r["threads"]): r for r in data["results"]}
    assert set(rows) == {(w.name, t) for w in WORKLOADS for t in (1, 2)}
    good = rows[("tiny linear fwd+bwd", 2)]
    assert good["error"] is None and good["ratio"] > 0 and good["refnn_gflops"] > 0
    assert good["max_abs_diff"] < 1e-4
    assert "NotImplementedError" in rows[("tiny broken", 1)]["error"]
    assert "tiny broken" in capsys.readouterr().out


def test_grads_are_reset_each_iteration():
    calls = []
    w = WORKLOADS[0]
    t = bench.to_torch(w.make_inputs(), w.grad_inputs)
    step = bench._step(_fwd_bwd(t), [t[k] for k in w.grad_inputs])
    step()
    first = t["x"].grad.clone()
    step()
    calls.append(t["x"].grad)
    assert np.array_equal(first.numpy(), calls[0].numpy())   # not accumulated: set to None before each run


def test_report_reads_bench_json(tmp_path, monkeypatch):
    import tools.workloads
    from tools import compliance_report
    monkeypatch.setattr(tools.workloads, "all_workloads", lambda: WORKLOADS[:1])
    path = tmp_path / "bench.json"
    assert bench.main(["--threads", "1", "--repeat", "1", "--warmup", "0", "--min-time", "0",
                       "--json", str(path)]) == 0
    out = tmp_path / "r"
    code = compliance_report.main(["--only", "relu", "--quick", "--jobs", "0", "--no-audits", "--no-progress",
                                   "--bench", str(path), "--out", str(out)])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["bench"]["results"][0]["name"] == "tiny linear fwd+bwd"
    assert "tiny linear fwd+bwd" in (out / "report.html").read_text()
    assert "tiny linear fwd+bwd" in (out / "report.md").read_text()


def _tiny_gelu():
    return {"x": np.random.default_rng(1).standard_normal((16, 32), dtype=np.float32)}


ONNX_WORKLOADS = [
    Workload(name="tiny gelu fwd", family="test", make_inputs=_tiny_gelu,
             torch_fn=lambda t: (lambda: t["F"].gelu(t["x"])), refnn_fn=lambda t: (lambda: t["F"].gelu(t["x"])),
             bytes=2 * 16 * 32 * 4),
    WORKLOADS[0],
]


def test_onnxruntime_column(tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime", reason="the onnxruntime column needs onnxruntime (a bench/test extra)")
    import tools.workloads
    monkeypatch.setattr(tools.workloads, "all_workloads", lambda: ONNX_WORKLOADS)
    path = tmp_path / "bench.json"
    assert bench.main(["--only", "tiny", "--threads", "1", "--repeat", "1", "--warmup", "0", "--min-time", "0",
                       "--json", str(path)]) == 0
    rows = {r["name"]: r for r in json.loads(path.read_text())["results"]}
    fwd = rows["tiny gelu fwd"]
    assert fwd["onnxruntime_ms"] > 0 and fwd["onnxruntime_ratio"] > 0 and fwd["onnxruntime_note"] is None
    assert fwd["refnn_vs_onnxruntime"] == pytest.approx(fwd["refnn_ms"] / fwd["onnxruntime_ms"])
    train = rows["tiny linear fwd+bwd"]
    assert train["onnxruntime_ms"] is None and "forward+backward" in train["onnxruntime_note"]


def test_onnxruntime_export_computes_the_workload():
    pytest.importorskip("onnxruntime", reason="the onnxruntime column needs onnxruntime (a bench/test extra)")
    import torch
    from tools import bench_onnx
    arrays = _tiny_gelu()
    run, note = bench_onnx.runner(ONNX_WORKLOADS[0], arrays, 1)
    assert note is None
    want = torch.nn.functional.gelu(torch.from_numpy(arrays["x"])).numpy()
    np.testing.assert_allclose(run(), want, rtol=1e-5, atol=1e-6)


def test_onnxruntime_column_blank_without_onnxruntime(tmp_path, monkeypatch):
    import tools.workloads
    from tools import bench_onnx
    monkeypatch.setattr(tools.workloads, "all_workloads", lambda: ONNX_WORKLOADS[:1])
    monkeypatch.setattr(bench_onnx, "available", lambda: False)
    path = tmp_path / "bench.json"
    assert bench.main(["--threads", "1", "--repeat", "1", "--warmup", "0", "--min-time", "0",
                       "--json", str(path)]) == 0
    row = json.loads(path.read_text())["results"][0]
    assert row["onnxruntime_ms"] is None and row["onnxruntime_note"] == "onnxruntime not installed"
    assert row["ratio"] > 0
