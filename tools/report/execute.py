"""Run the selected pairs, in worker processes or inline, with the two audits.

Every pair goes through ``tests.harness.run_case`` (exactly what the pytest
suite runs).  On top of it a worker runs the accuracy audit
(``tests.harness.accuracy.float64_audit``, float32 pairs) and the determinism
audit (``tests.harness.run_refnn_only`` twice at 1 thread and once at 2).

Workers are spawned processes (``--jobs``); a worker that dies (a segfault in a
kernel) is detected through a marker file naming the pair it was running, that
pair is recorded as failed, and the rest carry on in a fresh pool.
"""
import os
import signal
import sys
import tempfile
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict

POLL_S = 5
CASE_TIMEOUT_S = 120      # a case's Python code is interrupted after this (SIGALRM)
STALL_S = int(os.environ.get("REFNN_REPORT_STALL_S", "300"))   # one case running this long: kill (a hang)
MESSAGE_LIMIT = 2000

_STATE = {}


def _init(options, marker_dir):
    from tools.report.select import select_pairs
    _STATE["pairs"] = select_pairs(options.get("only"), options.get("dtypes"), options.get("quick"))
    _STATE["options"] = options
    _STATE["marker_dir"] = marker_dir
    if marker_dir is not None:      # a worker process: torch's UserWarnings would garble the progress bar
        import warnings
        warnings.simplefilter("ignore")
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    import refnn
    refnn.set_num_threads(1)


def _timeout(signum, frame):
    raise TimeoutError(f"case ran longer than {CASE_TIMEOUT_S} s")


def determinism(case, dtype):
    """'identical', or what differed, for refnn twice at 1 thread and at 2 threads."""
    from tests.harness import determinism_runs
    try:
        first, again, two = determinism_runs(case, dtype)
    except Exception as exc:  # noqa: BLE001 - recorded
        return {"status": "error", "message": f"{type(exc).__name__}: {exc}"[:MESSAGE_LIMIT]}
    runs, threads = first == again, first == two
    status = "identical" if runs and threads else "differs"
    message = "" if status == "identical" else (
        ("two runs at 1 thread differ; " if not runs else "") + ("1 vs 2 threads differ" if not threads else ""))
    return {"status": status, "message": message.strip("; "), "tensors": len(first)}


def run_pair(index):
    """One pair: the conformance result plus the audits, as a plain dict."""
    from tests.harness import run_case
    from tests.harness.accuracy import eligible, float64_audit
    from tests.harness.case import ErrorCase
    case, dtype = _STATE["pairs"][index]
    options = _STATE["options"]
    marker = os.path.join(_STATE["marker_dir"], str(os.getpid())) if _STATE.get("marker_dir") else None
    if marker:
        with open(marker, "w") as f:
            f.write(str(index))
    use_alarm = hasattr(signal, "SIGALRM") and _STATE.get("marker_dir") is not None
    if use_alarm:
        signal.signal(signal.SIGALRM, _timeout)
        signal.alarm(CASE_TIMEOUT_S)
    start = time.perf_counter()
    try:
        record = asdict(run_case(case, dtype))
        record["message"] = record["message"][:MESSAGE_LIMIT]
        record["accuracy"] = None
        record["determinism"] = None
        if options.get("audits", True):
            if eligible(case, dtype):
                try:
                    record["accuracy"] = float64_audit(case, dtype)
                except Exception as exc:  # noqa: BLE001 - recorded
                    record["accuracy"] = {"error": f"{type(exc).__name__}: {exc}"[:MESSAGE_LIMIT]}
            if not isinstance(case, ErrorCase) and not case.skip:
                record["determinism"] = determinism(case, dtype)
    except Exception as exc:  # noqa: BLE001 - e.g. the timeout
        record = crashed_record(index, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-2)}")
    finally:
        if use_alarm:
            signal.alarm(0)
    record["index"] = index
    record["seconds"] = time.perf_counter() - start
    if marker:
        os.unlink(marker)
    return record


def crashed_record(index, message):
    return {"index": index, "status": "failed", "message": message[:MESSAGE_LIMIT], "reason": "",
            "metrics": {"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}, "accuracy": None,
            "determinism": None, "seconds": 0.0, "crashed": True, "disagreements": []}


def _progress(total, enabled):
    try:
        from tqdm import tqdm
        return tqdm(total=total, desc="cases", unit="case", file=sys.stderr, disable=not enabled,
                    mininterval=0.5, dynamic_ncols=True)
    except ImportError:
        class _Plain:
            def __init__(self):
                self.n = 0

            def update(self, k=1):
                self.n += k
                if enabled and (self.n % 50 == 0 or self.n == total):
                    print(f"\rcases: {self.n}/{total}", end="", file=sys.stderr, flush=True)

            def close(self):
                if enabled:
                    print(file=sys.stderr)
        return _Plain()


def run_all(options, jobs, progress=True):
    """Records for every selected pair, in index order."""
    from tools.report.select import select_pairs
    total = len(select_pairs(options.get("only"), options.get("dtypes"), options.get("quick")))
    bar = _progress(total, progress)
    records = {}
    try:
        if jobs <= 0:
            import torch

            import refnn
            saved = (refnn.get_num_threads(), torch.get_num_threads())
            _init(options, None)
            try:
                for index in range(total):
                    records[index] = run_pair(index)
                    bar.update(1)
            finally:
                refnn.set_num_threads(saved[0])
                torch.set_num_threads(saved[1])
        else:
            _run_pool(options, jobs, total, records, bar)
    finally:
        bar.close()
    return [records[i] for i in range(total)]


def _run_pool(options, jobs, total, records, bar):
    import multiprocessing
    context = multiprocessing.get_context("spawn")
    pending = set(range(total))
    with tempfile.TemporaryDirectory(prefix="refnn-report-") as marker_dir:
        while pending:
            broken = False
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init,
                                     initargs=(options, marker_dir)) as pool:
                futures = {pool.submit(run_pair, i): i for i in sorted(pending)}
                not_done = set(futures)
                while not_done:
                    done, not_done = wait(not_done, timeout=POLL_S, return_when=FIRST_COMPLETED)
                    if not done:
                        if _stalled(marker_dir):   # a case in flight for STALL_S: a kernel hangs
                            _kill(pool)
                            broken = True
                            break
                        continue
                    for future in done:
                        index = futures[future]
                        try:
                            records[index] = future.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
                            records[index] = crashed_record(index, f"{type(exc).__name__}: {exc}")
                        pending.discard(index)
                        bar.update(1)
            if broken:
                # The markers name the pairs in flight when a worker died; rerun each alone
                # to tell the one that crashes from its innocent neighbours.
                suspects = []
                for name in os.listdir(marker_dir):
                    path = os.path.join(marker_dir, name)
                    with open(path) as f:
                        text = f.read().strip()
                    os.unlink(path)
                    if text.isdigit() and int(text) in pending:
                        suspects.append(int(text))
                if not suspects and pending:
                    suspects = [min(pending)]   # could not tell which: make progress
                for index in sorted(suspects):
                    records[index] = _run_isolated(options, marker_dir, index, context)
                    pending.discard(index)
                    bar.update(1)


def _stalled(marker_dir):
    """Whether a worker has been running one case for longer than STALL_S (its marker's age)."""
    now = time.time()
    for name in os.listdir(marker_dir):
        try:
            if now - os.path.getmtime(os.path.join(marker_dir, name)) > STALL_S:
                return True
        except OSError:
            pass
    return False


def _kill(pool):
    """Kill a pool's worker processes (a hung kernel ignores everything gentler)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        try:
            process.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _run_isolated(options, marker_dir, index, context):
    message = "the worker process died while running this case (a crash in a kernel?)"
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init,
                             initargs=(options, marker_dir)) as pool:
        future = pool.submit(run_pair, index)
        try:
            while True:
                done, _ = wait([future], timeout=POLL_S)
                if done:
                    return future.result()
                if _stalled(marker_dir):
                    _kill(pool)
                    message = f"no result after {STALL_S} s: the case hangs (killed)"
                    break
        except BrokenProcessPool:
            pass
        except Exception as exc:  # noqa: BLE001
            return crashed_record(index, f"{type(exc).__name__}: {exc}")
    for name in os.listdir(marker_dir):
        os.unlink(os.path.join(marker_dir, name))
    return crashed_record(index, message)
