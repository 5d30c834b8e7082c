"""Reliability under real use: threads, worker processes and signals.

* concurrency: Python threads training their own models give the bits of a sequential run, and
  threads sharing one model under no_grad give the outputs of sequential calls;
* worker processes: a multiprocessing worker started with fork after the parent ran a
  multi-threaded kernel finishes (one thread in the child), and so does one started with spawn;
* interrupts: SIGINT stops a long convolution, matrix product or pooling within 0.5 s with
  KeyboardInterrupt; a handler that does not raise leaves every bit of the result as it was.

Process tests run in a child with a timeout, so a hang fails instead of blocking the suite.
"""
import copy
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]


def _child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("REFNN_NUM_THREADS", None)
    env.pop("OMP_NUM_THREADS", None)
    return env


def _run_child(script, args, timeout):
    """Run `script` in a new session; on timeout kill the whole group (pool workers too) and fail."""
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_child_env(), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{script.name} {' '.join(args)} hung: no exit within {timeout} s")
    return proc.returncode, out, err


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(x.reshape(x.shape[0], -1))


def _train(model, seed, steps):
    rng = np.random.default_rng(seed)
    opt = refnn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        x = refnn.tensor(rng.standard_normal((4, 3, 16, 16), dtype=np.float32))
        target = refnn.tensor(rng.integers(0, 10, size=4))
        opt.zero_grad()
        F.cross_entropy(model(x), target).backward()
        opt.step()
    return [p.data.tobytes() for p in model.parameters()]


@pytest.fixture
def two_threads():
    saved = refnn.get_num_threads()
    refnn.set_num_threads(2)
    yield
    refnn.set_num_threads(saved)


def test_threads_training_their_own_models_match_a_sequential_run(two_threads):
    refnn.manual_seed(0)
    models = [_Net() for _ in range(4)]
    sequential = [_train(copy.deepcopy(m), seed, 20) for seed, m in enumerate(models)]
    results = [None] * len(models)

    def work(i):
        results[i] = _train(copy.deepcopy(models[i]), i, 20)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(models))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert results == sequential


def test_threads_sharing_one_model_under_no_grad_match_sequential_calls(two_threads):
    refnn.manual_seed(1)
    model = _Net()
    rng = np.random.default_rng(1)
    inputs = [refnn.tensor(rng.standard_normal((3, 3, 16, 16), dtype=np.float32)) for _ in range(4)]
    with refnn.no_grad():
        expected = [model(x).numpy().tobytes() for x in inputs]
    results = [[] for _ in inputs]

    def work(i):
        with refnn.no_grad():
            for _ in range(25):
                results[i].append(model(inputs[i]).numpy().tobytes())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    for i, outs in enumerate(results):
        assert outs == [expected[i]] * 25
    assert refnn.autograd.is_grad_enabled()   # grad mode is per thread: the main thread's is untouched


_WORKER = textwrap.dedent("""
    import multiprocessing as mp
    import sys

    import numpy as np

    import refnn
    import refnn.nn.functional as F

    rng = np.random.default_rng(0)
    x = refnn.tensor(rng.standard_normal((8, 16, 32, 32), dtype=np.float32))
    w = refnn.tensor(rng.standard_normal((32, 16, 3, 3), dtype=np.float32))


    def work(_):
        return refnn.get_num_threads(), F.conv2d(x, w).numpy().tobytes()


    if __name__ == "__main__":
        refnn.set_num_threads(2)
        expected = F.conv2d(x, w).numpy().tobytes()      # the parent runs a 2-thread kernel first
        with mp.get_context(sys.argv[1]).Pool(2) as pool:
            results = pool.map(work, range(4), chunksize=1)
        assert all(r[1] == expected for r in results), "a worker's convolution differs from the parent's"
        print(sorted({r[0] for r in results}))
""")


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_process_after_a_multithreaded_kernel(tmp_path, method):
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"the {method} start method does not exist on {sys.platform}")
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    start = time.monotonic()
    rc, out, err = _run_child(script, [method], timeout=120)
    assert rc == 0, err
    # a forked worker runs on one thread until it asks for more; a spawned one starts afresh
    assert out.strip() == ("[1]" if method == "fork" else f"[{os.cpu_count() or 1}]")
    print(f"{method} workers: {time.monotonic() - start:.2f} s")


def test_a_forked_child_may_ask_for_threads_again():
    if not hasattr(os, "fork"):
        pytest.skip("os.fork does not exist on this platform")
    saved = refnn.get_num_threads()
    refnn.set_num_threads(3)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one thread, until it sets a number itself
        first = refnn.get_num_threads()
        refnn.set_num_threads(4)
        os.write(write, f"{first} {refnn.get_num_threads()}".encode())
        os._exit(0)
    os.close(write)
    report = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert refnn.get_num_threads() == 3     # the parent keeps its own
    refnn.set_num_threads(saved)
    assert report == "1 4"


_INTERRUPTED = textwrap.dedent("""
    import signal
    import sys
    import time

    import numpy as np

    import refnn
    import refnn.nn.functional as F

    # Python's own Ctrl-C handler, whatever the parent left: a shell starting a background job without job
    # control has the job ignore SIGINT, and the child would inherit that
    signal.signal(signal.SIGINT, signal.default_int_handler)

    refnn.set_num_threads(2)
    rng = np.random.default_rng(0)
    op = sys.argv[1]
    if op == "conv2d":
        x = refnn.tensor(rng.standard_normal((32, 64, 128, 128), dtype=np.float32))
        w = refnn.tensor(rng.standard_normal((128, 64, 3, 3), dtype=np.float32))
        run = lambda: F.conv2d(x, w, padding=1)
    elif op == "linear":
        x = refnn.tensor(rng.standard_normal((4096, 4096), dtype=np.float32))
        w = refnn.tensor(rng.standard_normal((4096, 4096), dtype=np.float32))
        run = lambda: F.linear(x, w)
    else:
        x = refnn.tensor(rng.standard_normal((8, 512, 512), dtype=np.float32))
        run = lambda: F.max_pool2d(x, 63, stride=1)
    calls, inside, out = 0, False, None
    print("ready", flush=True)
    try:
        while True:              # a call lasts seconds; the signal lands inside one
            inside = True
            started = time.monotonic()
            out = run()
            inside = False
            calls += 1
            print(f"call {time.monotonic() - started:.3f}", flush=True)
    except KeyboardInterrupt:
        caught = time.monotonic()
        print(f"interrupted {caught:.6f} {int(inside)} {calls} {int(out is None)} {caught - started:.3f}",
              flush=True)
""")


@pytest.mark.slow
@pytest.mark.parametrize("op", ["conv2d", "linear", "max_pool2d"])
def test_sigint_stops_a_long_kernel(tmp_path, op):
    """SIGINT 1 s into a kernel of seconds: KeyboardInterrupt within 0.5 s, no output returned."""
    script = tmp_path / "interrupted.py"
    script.write_text(_INTERRUPTED)
    proc = subprocess.Popen([sys.executable, str(script), op], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_child_env(), start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(1.0)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{op}: no exit within 60 s of SIGINT")
    exited = time.monotonic() - sent
    last = out.strip().splitlines()[-1].split()
    assert proc.returncode == 0 and last[0] == "interrupted", (out, err)
    caught, inside, calls, nothing_returned = float(last[1]), last[2] == "1", int(last[3]), last[4] == "1"
    latency = caught - sent
    print(f"{op}: KeyboardInterrupt {latency * 1000:.0f} ms after SIGINT, process gone after {exited:.2f} s, "
          f"{calls} whole calls before, {last[5]} s into the interrupted one")
    assert inside, "the signal arrived between two calls: the kernel is too short to test"
    if calls == 0:
        assert nothing_returned
    assert latency < 0.5


def _randn(rng, shape, requires_grad=False):
    return refnn.tensor(rng.standard_normal(shape, dtype=np.float32), requires_grad=requires_grad)


def _long_op(name):
    """(prepare, run, leaves): run(prepare()) is a call of a few tenths of a second on two cores once
    the output cache is warm (prepare: the forward of a backward), and leaves are the tensors whose
    .grad it sets."""
    rng = np.random.default_rng(2)
    if name == "conv2d":
        x, w = _randn(rng, (40, 64, 96, 96)), _randn(rng, (128, 64, 3, 3))
        return _nothing, (lambda _: F.conv2d(x, w, padding=1).numpy()), ()
    if name == "conv2d_backward":
        x, w = _randn(rng, (16, 64, 96, 96), True), _randn(rng, (128, 64, 3, 3), True)
        g = rng.standard_normal((16, 128, 96, 96)).astype(np.float32)

        def forward():
            x.grad = w.grad = None
            return F.conv2d(x, w, padding=1)

        def backward(y):
            y.backward(g)
            return np.concatenate([x.grad.data.ravel(), w.grad.data.ravel()])
        return forward, backward, (x, w)
    if name == "linear":
        a, b = _randn(rng, (3072, 3072)), _randn(rng, (3072, 3072))
        return _nothing, (lambda _: F.linear(a, b).numpy()), ()
    x = _randn(rng, (2, 512, 512))
    if name == "max_pool2d":
        return _nothing, (lambda _: F.max_pool2d(x, 63, stride=1).numpy()), ()
    return _nothing, (lambda _: F.avg_pool2d(x, 63, stride=1).numpy()), ()


def _nothing():
    return None


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="signal.setitimer does not exist on this platform")
@pytest.mark.parametrize("name", ["conv2d", "conv2d_backward", "linear", "max_pool2d", "avg_pool2d"])
def test_a_handler_that_raises_stops_the_kernel_and_its_exception_propagates(two_threads, name):
    prepare, run, leaves = _long_op(name)
    run(prepare())                  # warm: the output cache then serves the timed call and the interrupted one
    state = prepare()
    start = time.monotonic()
    run(state)
    whole = time.monotonic() - start
    state = prepare()

    class Alarm(Exception):
        pass

    def handler(signum, frame):
        raise Alarm()

    saved = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, whole / 4)
        start = time.monotonic()
        with pytest.raises(Alarm):
            run(state)
        stopped = time.monotonic() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, saved)
    print(f"{name}: a {whole:.2f} s call stopped after {stopped:.2f} s (alarm at {whole / 4:.2f} s)")
    assert stopped < whole * 0.6
    assert all(leaf.grad is None for leaf in leaves)      # an interrupted backward sets no gradient


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="signal.setitimer does not exist on this platform")
@pytest.mark.parametrize("name", ["conv2d", "conv2d_backward", "linear", "max_pool2d"])
def test_a_handler_that_returns_leaves_the_result_bit_identical(two_threads, name):
    prepare, run, _ = _long_op(name)
    run(prepare())                  # warm: the output cache then serves the timed call and the interrupted one
    state = prepare()
    start = time.monotonic()
    expected = run(state)
    whole = time.monotonic() - start
    state = prepare()
    handled = []
    saved = signal.signal(signal.SIGALRM, lambda signum, frame: handled.append(time.monotonic()))
    try:
        signal.setitimer(signal.ITIMER_REAL, whole / 10, whole / 10)
        start = time.monotonic()
        got = run(state)
        returned = time.monotonic()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, saved)
    # handlers ran while the kernels did (a pending signal is run once, after a kernel, otherwise)
    assert sum(start < t < returned for t in handled) >= 2
    assert got.tobytes() == expected.tobytes()
