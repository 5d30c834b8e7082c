"""The cache of large output buffers (refnn._C.buffers): reuse, the cap, release, threads, the off switch,
and that no kernel leaves an element of a reused buffer unwritten (every buffer poisoned, golden digests)."""
import os
import subprocess
import sys
import threading
import tracemalloc

import numpy as np
import pytest

import refnn
import refnn.nn.functional as F
from refnn._C import buffers
from tests.harness import golden
from tests.harness.runner import case_id, run_refnn_only
from tests.registry import expanded

MIB = 1 << 20


def _address(array):
    return array.__array_interface__["data"][0]


@pytest.fixture
def fresh_cache():
    """An empty cache with the default limit and threshold, restored afterwards."""
    buffers.release()
    limit = buffers.set_limit(256 * MIB)
    threshold = buffers._set_min_bytes(MIB)
    poison = buffers._set_poison(False)
    yield
    buffers.set_limit(limit)
    buffers._set_min_bytes(threshold)
    buffers._set_poison(poison)
    buffers.release()


def test_empty_is_numpys_empty(fresh_cache):
    for shape, dtype in [((4096, 4096), np.float32), ((3, 5), np.float64), ((1 << 18,), np.int64), ((0, 7), "f4"),
                         ((), np.float32), (7, np.bool_), ([1024, 1024], np.float16), ((2, 1024, 1024), ">f4")]:
        a = buffers.empty(shape, dtype)
        b = np.empty(shape, dtype)
        assert (a.shape, a.dtype, a.strides) == (b.shape, b.dtype, b.strides)
        assert a.flags.c_contiguous and a.flags.writeable and a.flags.aligned and a.flags.owndata == (a.base is None)
    assert type(buffers.empty((1024, 1024), np.float32).base) is buffers.Block      # 4 MiB: from a block
    assert buffers.empty((1024, 255), np.float32).base is None                     # under 1 MiB: numpy's
    like = buffers.empty_like(np.ones((1024, 512), order="F"))
    assert like.shape == (1024, 512) and like.flags.c_contiguous
    with pytest.raises(ValueError, match="negative dimensions"):
        buffers.empty((-1, 3), np.float32)


def test_a_freed_block_is_reused(fresh_cache):
    a = buffers.empty((1024, 1024), np.float32)
    address = _address(a)
    view = a[::2]
    del a
    assert buffers.stats()["cached_blocks"] == 0                   # a view keeps the block alive
    del view
    stats = buffers.stats()
    assert (stats["cached_blocks"], stats["cached_bytes"]) == (1, 4 * MIB)
    b = buffers.empty((4 * MIB - 100,), np.uint8)                  # a little smaller: the same block
    assert _address(b) == address and buffers.stats()["reused"] == stats["reused"] + 1
    del b
    c = buffers.empty((64 * MIB,), np.uint8)                        # far larger: a fresh block
    assert _address(c) != address and buffers.stats()["cached_blocks"] == 1
    d = buffers.empty((MIB,), np.uint8)                             # far smaller: not the 4 MiB block
    assert _address(d) != address


def test_the_cache_never_holds_more_than_its_limit(fresh_cache):
    buffers.set_limit(10 * MIB)
    arrays = [buffers.empty((4 * MIB,), np.uint8) for _ in range(4)]
    evicted = buffers.stats()["evicted"]
    del arrays
    stats = buffers.stats()
    assert stats["cached_bytes"] <= 10 * MIB and stats["cached_blocks"] == 2
    assert stats["evicted"] == evicted + 2
    big = buffers.empty((11 * MIB,), np.uint8)                      # over the limit: unmapped when freed
    del big
    assert buffers.stats()["cached_bytes"] <= 10 * MIB
    assert buffers.set_limit(4 * MIB) == 10 * MIB                   # lowering the limit drops what is over it
    assert buffers.stats()["cached_bytes"] <= 4 * MIB


def test_release_hands_everything_back(fresh_cache):
    arrays = [buffers.empty((MIB * (i + 1),), np.uint8) for i in range(3)]
    alive = buffers.empty((2 * MIB,), np.uint8)
    del arrays
    assert buffers.stats()["cached_bytes"] == 6 * MIB
    assert refnn.utils.release_cached_memory() == 6 * MIB
    assert refnn.utils.cached_memory_stats()["cached_blocks"] == 0
    alive[:] = 7                                                    # a live array keeps its memory
    del alive
    assert buffers.stats()["cached_bytes"] == 2 * MIB
    with pytest.raises(ValueError, match="nbytes must be >= 0"):
        refnn.utils.set_cached_memory_limit(-1)


def test_tracemalloc_sees_a_block_while_an_array_uses_it(fresh_cache):
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        a = buffers.empty((8 * MIB,), np.uint8)
        assert tracemalloc.get_traced_memory()[0] - before >= 8 * MIB
        del a
        assert tracemalloc.get_traced_memory()[0] - before < MIB
    finally:
        tracemalloc.stop()


def test_threads_never_share_a_live_block(fresh_cache):
    buffers.set_limit(24 * MIB)
    errors = []

    def work(k):
        rng = np.random.default_rng(k)
        try:
            for _ in range(200):
                a = buffers.empty((int(rng.integers(MIB, 3 * MIB)),), np.uint8)
                a.fill(k)
                if not (a == k).all():
                    errors.append(f"thread {k}: its array was overwritten")
                del a
        except Exception as e:      # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stats = buffers.stats()
    assert stats["cached_bytes"] <= 24 * MIB and stats["cached_blocks"] <= 64
    assert stats["reused"] > 0


def test_the_environment_turns_the_cache_off():
    code = ("import numpy as np, refnn; from refnn._C import buffers; import refnn.nn.functional as F; "
            "y = F.relu(refnn.tensor(np.ones((1024, 1024), np.float32))); "
            "print(buffers.empty((4096, 4096)).base is None, y.data.base is None or y.data.base.base is None, "
            "buffers.stats()['limit_bytes'])")
    env = dict(os.environ, REFNN_BUFFER_CACHE_MB="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.split() == ["True", "True", "0"]
    env["REFNN_BUFFER_CACHE_MB"] = "lots"
    bad = subprocess.run([sys.executable, "-c", "import refnn"], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert bad.returncode != 0 and "REFNN_BUFFER_CACHE_MB must be a number of MiB" in bad.stderr


def test_large_outputs_come_from_the_cache(fresh_cache):
    x = refnn.tensor(np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32))
    F.relu(x)
    fresh = buffers.stats()["fresh"]
    for op in (F.relu, F.sigmoid, lambda t: F.softmax(t, 1), lambda t: F.layer_norm(t, (1024,)),
               lambda t: F.max_pool2d(t[None], 2), lambda t: F.mse_loss(t, t, reduction="none")):
        op(x)
        op(x)
    assert buffers.stats()["fresh"] <= fresh + 3      # after the first calls, every output is a reused block


# Every routed family's registry value cases with EVERY output buffer from the cache, each block filled with
# 0xFF (NaN) bytes when handed out: an element a kernel leaves unwritten changes the bits, so the golden
# digests catch it (they are the bits of the same cases with numpy's buffers).
ROUTED = ["activation", "softmax", "normalization", "pooling", "pool3d", "pool_lp_fractional", "loss",
          "loss_regression", "loss_margin", "loss_ce", "interpolation", "padding", "pixelshuffle", "dropout", "tensor"]
POISON_PAIRS = [(c, d) for c, d in expanded(ROUTED)
                if type(c).__name__ != "ErrorCase" and not c.skip and not c.xfail]


@pytest.fixture(scope="module")
def poisoned_cache():
    buffers.release()
    threshold, poison = buffers._set_min_bytes(1), buffers._set_poison(True)
    yield
    buffers._set_min_bytes(threshold)
    buffers._set_poison(poison)
    buffers.release()


@pytest.mark.parametrize("case,dtype", POISON_PAIRS, ids=[case_id(c, d) for c, d in POISON_PAIRS])
def test_no_element_of_a_reused_buffer_is_left_unwritten(poisoned_cache, case, dtype):
    expected = golden.load().get(case_id(case, dtype))
    if expected is None:
        pytest.skip("no golden digest for this case yet (a new case: tools/golden_digests.py --update)")
    first = run_refnn_only(case, dtype)
    assert golden.digest(first) == expected


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_uses_its_own_copy_of_the_cache(fresh_cache):
    a = buffers.empty((MIB,), np.float32)
    del a
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                    # the child: reuse the block it inherited, report, exit
        try:
            b = buffers.empty((MIB,), np.float32)
            b[:] = 1.0
            ok = bool((b == 1.0).all()) and buffers.stats()["reused"] >= 1
            del b
            os.write(write, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 2) == b"ok"
    os.close(read)
    assert buffers.stats()["cached_blocks"] == 1     # the parent's cache is its own


def test_the_engine_keeps_a_cached_gradient_without_a_copy_and_copies_a_shared_one(fresh_cache):
    from refnn.autograd import Function

    held = []

    class Passthrough(Function):
        @staticmethod
        def forward(ctx, a):
            return refnn.Tensor(a.data.copy())

        @staticmethod
        def backward(ctx, grad):
            out = buffers.empty(grad.shape, grad.dtype)
            out[...] = grad
            if held is not None:
                held.append(out)            # someone else holds it: .grad must be a copy
            return out

    def root_of(array):
        while isinstance(array.base, np.ndarray):
            array = array.base
        return array.base

    x = refnn.tensor(np.ones((1024, 1024), np.float32), requires_grad=True)
    F.relu(x).backward(np.ones((1024, 1024), np.float32))
    assert type(root_of(x.grad.data)) is buffers.Block           # relu's grad_input, kept as it is
    x.grad = None
    Passthrough.apply(x).backward(np.full((1024, 1024), 2.0, np.float32))
    assert root_of(x.grad.data) is None and not np.shares_memory(x.grad.data, held[0])
    x.grad, held = None, None
    Passthrough.apply(x).backward(np.full((1024, 1024), 3.0, np.float32))
    assert type(root_of(x.grad.data)) is buffers.Block and (x.grad.data == 3.0).all()


def test_the_cache_bench_runs(capsys, fresh_cache):
    from tools.output_cache_bench import main

    main(["--only", "overhead relu 1 element fwd", "--threads", "1", "--repeat", "1", "--min-time", "0"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["workload", "thr", "cache"]
    assert any(line.startswith("overhead relu 1 element fwd") for line in lines[1:])
    assert buffers.stats()["limit_bytes"] == 256 * MIB                # the limit is restored
