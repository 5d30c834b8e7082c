#!/usr/bin/env python
"""Recompute the golden digests of every registry value case and say what changed.

    python tools/golden_digests.py            # compare with tests/golden/digests.json (exit 1 on a change)
    python tools/golden_digests.py --update   # rewrite the file (a deliberate, reviewed commit)

The digests are refnn's alone (no torch): the SHA-256 of the raw bytes of every output, gradient and
index of each case at each dtype, at one thread.  They must not depend on the machine, the thread count
or the kernel build: run this under ``REFNN_ISA=baseline`` and ``REFNN_ISA=avx2`` to see that.
"""
import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def value_pairs():
    from tests.registry import expanded
    return [(c, d) for c, d in expanded() if type(c).__name__ != "ErrorCase" and not c.skip and not c.xfail]


def _digest_of(index):
    import warnings

    import refnn
    warnings.simplefilter("ignore")   # the registry's deprecated arguments warn on purpose
    from tests.harness import golden, run_refnn_only
    from tests.harness.runner import case_id
    case, dtype = value_pairs()[index]
    refnn.set_num_threads(1)
    return case_id(case, dtype), golden.digest(run_refnn_only(case, dtype))


def compute(jobs):
    from tests.harness.runner import case_id
    ids = [case_id(c, d) for c, d in value_pairs()]
    if len(set(ids)) != len(ids):
        raise SystemExit("registry case ids are not unique (tests/test_conformance.py::test_case_ids_are_unique)")
    count = len(ids)
    if jobs <= 1:
        return dict(_digest_of(i) for i in range(count))
    with ProcessPoolExecutor(jobs) as pool:
        return dict(pool.map(_digest_of, range(count), chunksize=32))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/digests.json")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    from tests.harness import golden
    new = compute(args.jobs)
    old = golden.load()
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(new) & set(old) if new[k] != old[k])
    for title, ids in (("changed", changed), ("added", added), ("removed", removed)):
        if ids:
            print(f"{title} ({len(ids)}):")
            print("".join(f"  {i}\n" for i in ids), end="")
    print(f"{len(new)} digests: {len(changed)} changed, {len(added)} added, {len(removed)} removed")
    if args.update:
        golden.save(new)
        print(f"wrote {os.path.relpath(golden.PATH, ROOT)}")
        return 0
    return 1 if changed or added or removed else 0


if __name__ == "__main__":
    sys.exit(main())
