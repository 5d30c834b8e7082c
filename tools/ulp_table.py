#!/usr/bin/env python
"""Measure the error of refnn's own transcendentals in ulps and write docs/transcendentals.md.

float32: every one of the 2^32 inputs (or ``--sample N`` random bit patterns), in chunks; the reference
is the function in float64 and the error of a result y is |y - ref| / ulp, ulp the spacing of float32 at
the float64 reference rounded to float32 (2^-149 among subnormals).  The float64 reference is refnn's own
float64 function by default (``--reference refnn64``: a different algorithm, measured against mpmath
below to within 2 ulp of float64, and fast enough for the full run), or numpy's (``--reference numpy``;
erf: torch's float64 erf, the only one at hand).  Either is within 2 ulp of float64, 2^-28 of a float32
ulp: it decides the rounding of every input except those within that distance of a tie.  Errors are
computed only where the result differs from the rounded reference (elsewhere they are at most 0.5).  torch's
float32 answer over the same inputs is measured beside refnn's (column "torch").

float64: ``--sample64 N`` inputs (random bit patterns and uniform draws over each function's
interesting range), the reference mpmath at 40 digits.

refnn's results come from the Tensor API kernel (refnn/_kernels/elementwise.pyx, ``unary``), which maps
refnn_math.h's functions; every build the CPU runs is checked to give the same bits on the first chunk.
The full run (no ``--sample``) measures refnn over all 2^32 inputs with tools/ulp_scan.c instead (compiled
here with the kernels' flags: the same header, the same builds, refnn's float64 functions as the
reference; numpy would take hours), and torch's column and the builds' check over ``--torch-sample``
random inputs through the Python path.

    python tools/ulp_table.py --sample 2000000          # quick (a minute)
    python tools/ulp_table.py                           # all 2^32 float32 inputs (minutes: ulp_scan.c)
    python tools/ulp_table.py --no-write                # print only
"""
import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DOC = os.path.join(ROOT, "docs", "transcendentals.md")
FUNCS = ("exp", "expm1", "log", "log1p", "tanh", "erf", "sigmoid")
CHUNK = 1 << 24


def _ops():
    from refnn._kernels import elementwise as E
    return E, {"exp": E.EXP, "expm1": E.EXPM1, "log": E.LOG, "log1p": E.LOG1P, "tanh": E.TANH, "erf": E.ERF,
               "sigmoid": E.SIGMOID}


def refnn_values(name, x):
    E, ops = _ops()
    out = np.empty_like(x)
    E.unary(ops[name], x, out, 1)
    return out


REFERENCE = "refnn64"


def reference64(name, x64):
    """float64 values of the function (refnn's float64 path, or numpy / torch for erf)."""
    if REFERENCE == "refnn64":
        return refnn_values(name, x64)
    with np.errstate(all="ignore"):
        if name == "exp":
            return np.exp(x64)
        if name == "expm1":
            return np.expm1(x64)
        if name == "log":
            return np.log(x64)
        if name == "log1p":
            return np.log1p(x64)
        if name == "tanh":
            return np.tanh(x64)
        if name == "sigmoid":
            return 1.0 / (1.0 + np.exp(-x64))
    import torch
    return torch.special.erf(torch.from_numpy(x64)).numpy()


def torch_values(name, x):
    try:
        import torch
    except ImportError:
        return None
    t = torch.from_numpy(x)
    fn = {"exp": torch.exp, "expm1": torch.expm1, "log": torch.log, "log1p": torch.log1p, "tanh": torch.tanh,
          "erf": torch.special.erf, "sigmoid": torch.sigmoid}[name]
    return fn(t).numpy()


def ulp_errors32(y, ref64):
    """(the largest error in float32 ulps of the rounded reference and its index, the count of results that
    differ from the rounded reference).  Where a result equals the rounded reference its error is at most
    0.5 ulp: computed exactly only where they differ (few inputs, so the full run stays cheap), and 0.5 is
    reported when no result differs."""
    with np.errstate(all="ignore"):
        r32 = ref64.astype(np.float32)
        same = (y.view(np.uint32) == r32.view(np.uint32)) | (np.isnan(y) & np.isnan(ref64))
        idx = np.flatnonzero(~same)
        if idx.size == 0:
            return 0.0, None, 0
        yd, rd, rr = y[idx], ref64[idx], r32[idx]
        mag = np.abs(rr)
        mag = np.where(np.isinf(mag), np.float32(3.4028235e38), mag)
        ulp = np.spacing(mag).astype(np.float64)
        err = np.abs(yd.astype(np.float64) - rd) / ulp
        # -0 against +0 is no error in value; an infinite result where the rounded reference is finite (or
        # the other way), or a NaN against a number, is an infinite error
        err = np.where((yd == rr) & ~np.isnan(err), 0.0, err)
        err = np.where(np.isnan(err), np.inf, err)
    j = int(np.argmax(err))
    return float(err[j]), int(idx[j]), int(idx.size)


def float32_inputs(chunk_index, sample, rng):
    if sample:
        return rng.integers(0, 1 << 32, size=min(CHUNK, sample - chunk_index * CHUNK), dtype=np.uint64) \
            .astype(np.uint32).view(np.float32)
    start = chunk_index * CHUNK
    return np.arange(start, start + CHUNK, dtype=np.uint64).astype(np.uint32).view(np.float32)


def measure32(sample, seed=0):
    E, _ = _ops()
    builds = [lvl for lvl in (0, 1, 2) if E._force_build(lvl) == lvl]
    E._force_build(builds[-1])
    rng = np.random.default_rng(seed)
    chunks = -(-sample // CHUNK) if sample else (1 << 32) // CHUNK
    stats = {n: {"max": 0.0, "arg": None, "wrong": 0, "torch_max": 0.0, "torch_arg": None, "n": 0} for n in FUNCS}
    t0 = time.time()
    for c in range(chunks):
        x = float32_inputs(c, sample, rng)
        with np.errstate(all="ignore"):
            x64 = x.astype(np.float64)
        for name in FUNCS:
            y = refnn_values(name, x)
            if c == 0:
                for lvl in builds[:-1]:
                    E._force_build(lvl)
                    other = refnn_values(name, x)
                    if not np.array_equal(other.view(np.uint32), y.view(np.uint32)):
                        raise SystemExit(f"{name}: build {lvl} differs from build {builds[-1]}")
                E._force_build(builds[-1])
            ref = reference64(name, x64)
            err, i, wrong = ulp_errors32(y, ref)
            s = stats[name]
            s["n"] += x.size
            s["wrong"] += wrong
            if i is not None and err > s["max"]:
                s["max"], s["arg"] = err, (float(x[i]), float(y[i]), float(ref[i]))
            ty = torch_values(name, x)
            if ty is not None:
                terr, j, _ = ulp_errors32(ty, ref)
                if j is not None and terr > s["torch_max"]:
                    s["torch_max"], s["torch_arg"] = terr, float(x[j])
        if not sample and c % 16 == 15:
            print(f"  float32: {c + 1}/{chunks} chunks, {time.time() - t0:.0f} s", file=sys.stderr)
    return stats, builds


def scan32():
    """refnn's float32 functions over all 2^32 inputs: tools/ulp_scan.c compiled and run."""
    import subprocess
    import tempfile
    cc = os.environ.get("CC", "gcc")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "ulp_scan")
        subprocess.run([cc, "-O3", "-ffp-contract=off", "-fno-fast-math", "-std=gnu99",
                        "-I" + os.path.join(ROOT, "refnn", "_kernels", "include"),
                        os.path.join(ROOT, "tools", "ulp_scan.c"), "-o", exe, "-lm"], check=True)
        stats = {}
        for i, name in enumerate(FUNCS):
            t0 = time.time()
            out = subprocess.run([exe, "1", str(i)], check=True, capture_output=True, text=True).stdout.split("\n")
            fields = [line.split() for line in out if line.startswith(name + " ")][0]
            worst, bits, y, ref, wrong, n = float(fields[1]), int(fields[2], 16), float(fields[3]), float(fields[4]), \
                int(fields[5]), int(fields[6])
            x = float(np.array([bits], dtype=np.uint32).view(np.float32)[0])
            stats[name] = {"max": worst, "arg": (x, y, ref) if wrong else None, "wrong": wrong, "n": n}
            print(f"  {name}: all 2^32 inputs, {time.time() - t0:.0f} s", file=sys.stderr)
    return stats


def float64_inputs(name, n, rng):
    bits = rng.integers(0, 1 << 63, size=n // 2, dtype=np.int64).view(np.float64)
    bits = bits[np.isfinite(bits)] * np.where(rng.random(bits[np.isfinite(bits)].size) < 0.5, -1, 1)
    span = {"exp": (-745.2, 709.8), "expm1": (-40, 709.8), "log": (0, 4), "log1p": (-1, 4), "tanh": (-20, 20),
            "erf": (-6, 6), "sigmoid": (-40, 40)}[name]
    uni = rng.uniform(span[0], span[1], size=n - bits.size)
    small = rng.uniform(-1, 1, size=n // 10) * 2.0 ** rng.integers(-60, 0, size=n // 10)
    return np.concatenate([bits, uni, small])


def measure64(n, seed=0):
    import mpmath as mp
    mp.mp.dps = 40
    fns = {"exp": mp.exp, "expm1": mp.expm1, "log": mp.log, "log1p": lambda v: mp.log1p(v), "tanh": mp.tanh,
           "erf": mp.erf, "sigmoid": lambda v: 1 / (1 + mp.exp(-v))}
    rng = np.random.default_rng(seed + 1)
    stats = {}
    for name in FUNCS:
        x = float64_inputs(name, n, rng)
        if name in ("log", "log1p"):
            x = np.abs(x) if name == "log" else np.where(x < -1, -x, x)
        y = refnn_values(name, x)
        worst, arg = 0.0, None
        for xi, yi in zip(x.tolist(), y.tolist()):
            ref = fns[name](mp.mpf(xi))
            if mp.isnan(ref) or mp.isinf(ref):
                continue
            rf = float(ref)
            if abs(rf) == float("inf"):         # overflows float64: the answer is that infinity
                e = 0.0 if yi == rf else float("inf")
            elif rf == 0.0:
                e = 0.0 if yi == 0.0 else float("inf")
            else:
                spacing = float(np.spacing(np.float64(abs(rf)))) if abs(rf) < 1.7976931348623157e308 else 2.0 ** 971
                e = float(abs(mp.mpf(yi) - ref) / spacing)
            if e > worst:
                worst, arg = e, xi
        stats[name] = {"max": worst, "arg": arg, "n": x.size}
    return stats


def write_doc(s32, builds, sample, s64, n64, torch_sample=0):
    names = {0: "baseline", 1: "AVX2", 2: "AVX-512"}
    scope = f"{sample:,} random float32 bit patterns" if sample else (
        f"all 2^32 float32 inputs (tools/ulp_scan.c, against refnn's float64 functions); torch's column over "
        f"{torch_sample:,} random float32 bit patterns")
    lines = [
        "# refnn's transcendentals: measured error\n\n",
        "refnn computes exp, expm1, log, log1p, tanh, erf and sigmoid itself "
        "(`refnn/_kernels/include/refnn_math.h`): range reduction and a polynomial (Chebyshev fits by "
        "`tools/fit_refnn_math.py`), straight-line code whose every branch is a select, so the loops that call "
        "it vectorise and every lane of every build (baseline, AVX2, AVX-512) performs the same IEEE "
        "operations: the same bits on every CPU, at every position, at every thread count.  float64 is "
        "computed in double.  float32 is computed in float: float range reduction, float polynomials, 2^k "
        "built on int32 bits, the leading terms carried as exact float pairs (Fast2Sum, 12-bit splits) so "
        "that the result rounds about once; tanh and sigmoid finish their last two or three operations (a "
        "quotient of e^x) in double, from those exact pairs, and round once to float.\n\n",
        "The error of a result is its distance to the exact value in ulps of the correctly rounded value "
        "(for float32, the exact value is the float64 reference: "
        + ("refnn's own float64 functions, a different algorithm held to within 2 float64 ulp of mpmath by "
           "the float64 columns" if REFERENCE == "refnn64" else "numpy's functions, torch's float64 erf")
        + "; for float64, mpmath at 40 digits).  0.5 ulp means correctly rounded on every input measured.  "
        "\"not correctly rounded\" counts the float32 results that differ from the float64 reference rounded "
        "to float32.  torch's own float32 functions (this machine's build) are measured on the same inputs.\n\n",
        f"Measured by `python tools/ulp_table.py{' --sample ' + str(sample) if sample else ''}"
        f"{' --reference numpy' if REFERENCE == 'numpy' else ''}`: float32 over "
        f"{scope}; float64 over {n64:,} sampled inputs per function.  Builds compared bit for bit on the first "
        f"{min(CHUNK, sample or torch_sample):,} inputs: {', '.join(names[b] for b in builds)}.\n\n",
        "| function | float32 max ulp | float32 not correctly rounded | float32 worst input | torch float32 max ulp "
        "| float64 max ulp | float64 worst input |\n",
        "|---|---|---|---|---|---|---|\n",
    ]
    for name in FUNCS:
        a, b = s32[name], s64[name]
        worst = f"{a['arg'][0]!r}" if a["arg"] else "–"
        lines.append(f"| {name} | {a['max']:.3f} | {a['wrong']:,} of {a['n']:,} | {worst} | {a['torch_max']:.3f} | "
                     f"{b['max']:.3f} | {b['arg']!r} |\n")
    lines.append(
        "\ntorch's float32 sigmoid computes 1 / (1 + exp(-x)) in float: for x below about -88.7, exp(-x) "
        "overflows and the answer is 0 where the exact value is still a subnormal float, hence its huge "
        "error in ulps (2^-149 each) there; elsewhere it is within a few ulps.\n")
    if sample:
        lines.append("\nThis table is from a sampled run.  The full run, `python tools/ulp_table.py` (every one of "
                     "the 2^32 float32 inputs, in chunks of 2^24; tens of minutes on a quiet machine), replaces "
                     "it.\n")
    lines.append(
        "\nSpecial values follow C99 Annex F and torch: NaN in, NaN out; exp(+inf) = +inf, exp(-inf) = 0, "
        "overflow to +inf and underflow to 0 (through the subnormals) where the rounded value does; "
        "log(0) = -inf, log(x < 0) = NaN, log1p(-1) = -inf; tanh, erf, expm1, log1p and the odd functions "
        "keep the sign of zero.  `tests/test_transcendentals.py` holds every function to torch's answers at "
        "the special values and within these bounds on sampled inputs, and every build to the same bits.\n")
    with open(DOC, "w") as fh:
        fh.writelines(lines)
    print(f"wrote {DOC}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=0, help="random float32 inputs instead of all 2^32")
    parser.add_argument("--sample64", type=int, default=20000, help="float64 inputs per function (mpmath)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--torch-sample", type=int, default=CHUNK,
                        help="the full run: random inputs for torch's column and the builds' check")
    parser.add_argument("--reference", choices=("refnn64", "numpy"), default="refnn64",
                        help="the float64 reference for float32 (default: refnn's float64 functions)")
    args = parser.parse_args()
    global REFERENCE
    REFERENCE = args.reference
    if args.sample:
        s32, builds = measure32(args.sample)
    else:
        s32, builds = measure32(args.torch_sample)      # torch's column and the builds' check
        for name, full in scan32().items():
            s32[name].update(full)
    s64 = measure64(args.sample64)
    for name in FUNCS:
        print(f"{name:8s} float32 max {s32[name]['max']:.3f} ulp ({s32[name]['wrong']} not correctly rounded, "
              f"worst {s32[name]['arg']}), torch {s32[name]['torch_max']:.3f}; float64 max {s64[name]['max']:.3f} "
              f"ulp at {s64[name]['arg']!r}")
    if not args.no_write:
        write_doc(s32, builds, args.sample, s64, args.sample64, args.torch_sample)


if __name__ == "__main__":
    main()
