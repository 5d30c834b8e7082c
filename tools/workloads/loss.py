"""Loss workloads: nll_loss and cross_entropy (256 x 1000, forward + backward), mse_loss on 4096 x 4096."""
import numpy as np

from tools.workloads import Workload


def _classification():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((256, 1000), dtype=np.float32)
    log_prob = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return {"logits": logits, "log_prob": log_prob.astype(np.float32),
            "target": rng.integers(0, 1000, size=256).astype(np.int64)}


def _regression():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((4096, 4096), dtype=np.float32),
            "y": rng.standard_normal((4096, 4096), dtype=np.float32)}


def _fwd_bwd(loss_of):
    """One iteration: the loss, then backward from it (a scalar: its upstream gradient is 1)."""
    def make(inputs):
        def step():
            loss_of(inputs).backward()
        return step
    return make


WORKLOADS = [
    Workload(
        name="nll_loss 256x1000 fwd+bwd", family="loss", make_inputs=_classification,
        torch_fn=_fwd_bwd(lambda t: t["F"].nll_loss(t["log_prob"], t["target"])),
        refnn_fn=_fwd_bwd(lambda r: r["F"].nll_loss(r["log_prob"], r["target"])),
        bytes=2 * 256 * 1000 * 4, grad_inputs=("log_prob",)),
    Workload(
        name="cross_entropy 256x1000 fwd+bwd", family="loss", make_inputs=_classification,
        torch_fn=_fwd_bwd(lambda t: t["F"].cross_entropy(t["logits"], t["target"])),
        refnn_fn=_fwd_bwd(lambda r: r["F"].cross_entropy(r["logits"], r["target"])),
        flops=5 * 256 * 1000, grad_inputs=("logits",)),
    Workload(
        name="mse_loss 4096x4096 fwd", family="loss", make_inputs=_regression,
        torch_fn=lambda t: (lambda: t["F"].mse_loss(t["x"], t["y"])),
        refnn_fn=lambda r: (lambda: r["F"].mse_loss(r["x"], r["y"])),
        flops=3 * 4096 * 4096, bytes=2 * 4096 * 4096 * 4),
    Workload(
        name="mse_loss 4096x4096 fwd+bwd", family="loss", make_inputs=_regression,
        torch_fn=_fwd_bwd(lambda t: t["F"].mse_loss(t["x"], t["y"])),
        refnn_fn=_fwd_bwd(lambda r: r["F"].mse_loss(r["x"], r["y"])),
        flops=7 * 4096 * 4096, bytes=4 * 4096 * 4096 * 4, grad_inputs=("x",)),
]
