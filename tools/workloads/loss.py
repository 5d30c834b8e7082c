"""Loss workloads: nll_loss and cross_entropy (256 x 1000, forward + backward), mse_loss on 4096 x 4096,
smooth_l1_loss and kl_div on 256 x 1000 (forward + backward), and CTC loss on a speech-sized batch
(T = 200 frames, N = 16, C = 32 classes, targets of 50 labels; forward + backward)."""
import numpy as np

from tools.workloads import Workload


def _classification():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((256, 1000), dtype=np.float32)
    log_prob = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return {"logits": logits, "log_prob": log_prob.astype(np.float32),
            "prob": np.exp(log_prob).astype(np.float32),
            "target": rng.integers(0, 1000, size=256).astype(np.int64)}


def _regression():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((4096, 4096), dtype=np.float32),
            "y": rng.standard_normal((4096, 4096), dtype=np.float32)}


def _regression_rows():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((256, 1000), dtype=np.float32),
            "y": rng.standard_normal((256, 1000), dtype=np.float32)}


def _ctc():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 16, 32), dtype=np.float32)
    log_probs = (x - np.log(np.exp(x).sum(axis=2, keepdims=True))).astype(np.float32)
    return {"log_probs": log_probs, "targets": rng.integers(1, 32, size=(16, 50)).astype(np.int64),
            "input_lengths": np.full(16, 200, dtype=np.int64),
            "target_lengths": rng.integers(40, 51, size=16).astype(np.int64)}


def _ctc_loss(lib):
    return lib["F"].ctc_loss(lib["log_probs"], lib["targets"], lib["input_lengths"], lib["target_lengths"])


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
    Workload(
        name="smooth_l1_loss 256x1000 fwd+bwd", family="loss", make_inputs=lambda: _regression_rows(),
        torch_fn=_fwd_bwd(lambda t: t["F"].smooth_l1_loss(t["x"], t["y"])),
        refnn_fn=_fwd_bwd(lambda r: r["F"].smooth_l1_loss(r["x"], r["y"])),
        bytes=4 * 256 * 1000 * 4, grad_inputs=("x", "y")),
    Workload(
        name="kl_div 256x1000 batchmean fwd+bwd", family="loss", make_inputs=_classification,
        torch_fn=_fwd_bwd(lambda t: t["F"].kl_div(t["log_prob"], t["prob"], reduction="batchmean")),
        refnn_fn=_fwd_bwd(lambda r: r["F"].kl_div(r["log_prob"], r["prob"], reduction="batchmean")),
        bytes=4 * 256 * 1000 * 4, grad_inputs=("log_prob",)),
    Workload(
        name="ctc_loss T200 N16 C32 S50 fwd+bwd", family="loss", make_inputs=_ctc,
        torch_fn=_fwd_bwd(_ctc_loss), refnn_fn=_fwd_bwd(_ctc_loss), grad_inputs=("log_probs",)),
]
