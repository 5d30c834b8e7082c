"""Fit the polynomials of refnn's own transcendentals and write refnn/_kernels/include/refnn_math_poly.h.

Each polynomial is a Chebyshev fit (``mpmath.chebyfit``, 60 digits) of the function below on its
interval, its coefficients rounded to double; the header holds one Horner macro per polynomial,
``REFNN_POLY_<NAME>(t)``, highest coefficient innermost.  Two tiers: ``_D`` polynomials for the float64
functions (fit error below 2^-56 relative to the result) and ``_F32`` polynomials for the float32 ones,
whose coefficients are rounded to float and written as float literals (the float32 functions compute in
float; fit errors, after that rounding, below 2^-27 of the result).
The float64 erf tail is fitted in three pieces whose coefficients a lane selects before one Horner pass
(``REFNN_ERFC_C<i>_<TIER>(lo, mid)``, blends by refnn_math.h's ``refnn__sel``); so is float32's
erfc on [1, 3.92] (blends by ``refnn__self``).  The measured error of the finished functions is in
docs/transcendentals.md (tools/ulp_table.py).

    python tools/fit_refnn_math.py          # rewrite the header
    python tools/fit_refnn_math.py --check  # print each fit's max error (log2) and exit
"""
import argparse
import os
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 60
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "refnn", "_kernels", "include", "refnn_math_poly.h")

LN2_HALF = mp.log(2) / 2
Z_LOG = (3 - 2 * mp.sqrt(2)) ** 2          # s = f / (2 + f) with f in [sqrt(1/2) - 1, sqrt(2) - 1]: s^2 <= Z_LOG


def exp_p(r):
    """(e^r - 1 - r) / r^2: e^r = 1 + r + r^2 P(r), |r| <= ln2 / 2."""
    if abs(r) < mp.mpf(10) ** -20:
        return mp.mpf(1) / 2 + r / 6
    return (mp.expm1(r) - r) / r ** 2


def log_r(z):
    """(2 atanh(s) / s - 2) / z with z = s^2: log(1 + f) = 2s + s * z * R(z)."""
    if z < mp.mpf(10) ** -30:
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def erf_small(z):
    """erf(x) / x - 1 with z = x^2, |x| <= 1: erf(x) = x + x * S(x^2)."""
    if z < mp.mpf(10) ** -30:
        return 2 / mp.sqrt(mp.pi) - 1 - 2 * z / (3 * mp.sqrt(mp.pi))
    x = mp.sqrt(z)
    return mp.erf(x) / x - 1


def erfc_scaled(x):
    """erfc(x) e^(x^2): erf(x) = 1 - e^(-x^2) R(x) for x >= 1."""
    return mp.erfc(x) * mp.exp(x * x)


def exp_p3(r):
    """(e^r - 1 - r - r^2/2) / r^3: float32's e^r - 1 = r + r^2/2 + r^3 P(r), r^2/2 carried exactly."""
    if abs(r) < mp.mpf(10) ** -20:
        return mp.mpf(1) / 6 + r / 24
    return (mp.expm1(r) - r - r * r / 2) / r ** 3


def tanh_small(z):
    """(tanh(x) / x - 1) / z with z = x^2: tanh(x) = x + x z T(z)."""
    if z < mp.mpf(10) ** -30:
        return -mp.mpf(1) / 3 + 2 * z / 15
    x = mp.sqrt(z)
    return (mp.tanh(x) / x - 1) / z


TANH_SMALL_F32 = mp.mpf("0.55")            # float32 tanh: the polynomial below this |x|, exponentials above

# name: (function, interval, number of coefficients, variable shift, weight of the error, tier)
# tier "D": coefficients rounded to double (float64 functions); "F32": rounded to float and written as float
# literals (the float32 functions, which compute in float: tools/fit_refnn_math.py reports the fit error
# after that rounding)
FITS = {
    "EXP_D": (exp_p, (-LN2_HALF, LN2_HALF), 11, 0, lambda r: r * r, "D"),
    "LOG_D": (log_r, (0, Z_LOG), 7, 0, lambda z: z, "D"),
    "ERF_SMALL_D": (erf_small, (0, 1), 13, 0, lambda z: 1 / (1 + erf_small(z)), "D"),
    # float32 (r up to ln2/2 plus the float rounding of k: fitted on |r| <= 0.35)
    # refnn_expf's fast form: e^r = 1 + (r + r^2 P(r)), the error weighted by r^2 (P's error scaled into p)
    "EXP_F32": (exp_p, (-mp.mpf("0.35"), mp.mpf("0.35")), 6, 0, lambda r: r * r, "F32"),
    "EXP3_F32": (exp_p3, (-mp.mpf("0.35"), mp.mpf("0.35")), 5, 0, lambda r: abs(r) ** 3, "F32"),
    "LOG_F32": (log_r, (0, Z_LOG), 4, 0, lambda z: z, "F32"),
    "ERF_SMALL_F32": (erf_small, (0, mp.mpf("0.25")), 6, 0, lambda z: 1 / (1 + erf_small(z)), "F32"),
    "TANH_SMALL_F32": (tanh_small, (0, TANH_SMALL_F32 ** 2), 6, 0, lambda z: z, "F32"),
}
# the erf tail: pieces, each fitted in t = x - centre.  float64: e^(x^2) erfc(x) on [1, 6] in three pieces.
# float32: erf(x) = C - Q(t) on [0.5, 3.92] in five pieces (erf(3.92) rounds to 1 as a float): C = 1 and
# Q = erfc(x) on [1, 3.92]; on [0.5, 0.75] and [0.75, 1], C = erf(centre) rounded to float and Q = C - erf(x),
# small, so that C - Q rounds once and the polynomial needs no cancelling terms (erf's Taylor series is
# used below 0.5 only)
ERFC_PIECES = {"D": ((1, 2), (2, mp.mpf(7) / 2), (mp.mpf(7) / 2, 6)),
               "F32": ((mp.mpf("0.5"), mp.mpf("0.75")), (mp.mpf("0.75"), 1), (1, mp.mpf("1.5")),
                       (mp.mpf("1.5"), mp.mpf("2.25")), (mp.mpf("2.25"), mp.mpf("3.92")))}


def erf_piece_const(a, b):
    """float32's C of the piece [a, b]: erf at its centre rounded to float below 1, 1 beyond"""
    return float(np.float32(float(mp.erf((a + b) / 2)))) if b <= 1 else 1.0


def erf_mid_q(c):
    return lambda x: mp.mpf(c) - mp.erf(x)


def sel_chain(sel, conds, values):
    """sel(c0, v0, sel(c1, v1, ... v_last)): the first piece whose condition holds"""
    expr = values[-1]
    for a, v in zip(reversed(conds), reversed(values[:-1])):
        expr = f"{sel}({a}, {v}, {expr})"
    return expr
ERFC_TERMS = {"D": 17, "F32": 12}


def chebyfit(f, a, b, n, shift):
    return mp.chebyfit(lambda t: f(t + shift), [a - shift, b - shift], n)


def max_error(f, coeffs, a, b, shift, weight, points=3000, tier="D"):
    worst = mp.mpf(0)
    rounded = to_tier(coeffs, tier)
    for i in range(points + 1):
        x = a + (b - a) * mp.mpf(i) / points
        err = abs(mp.polyval(rounded, x - shift) - f(x)) * weight(x)
        worst = max(worst, err)
    return worst


def rounded(c, tier):
    """a coefficient rounded to the tier's type, as a C literal"""
    if tier == "F32":
        return repr(float(np.float32(float(c)))) + "f"
    return repr(float(c))


def to_tier(coeffs, tier):
    return [mp.mpf(float(np.float32(float(c)))) if tier == "F32" else mp.mpf(float(c)) for c in coeffs]


def horner(name, coeffs, tier="D"):
    """REFNN_POLY_name(t): Horner, highest coefficient innermost (coeffs highest first)."""
    expr = rounded(coeffs[0], tier)
    for c in coeffs[1:]:
        expr = f"({rounded(c, tier)} + (t) * {expr})"
    return f"#define REFNN_POLY_{name}(t) {expr}\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--out", default=OUT, help="where to write the header (default: the kernels' include dir)")
    args = parser.parse_args(argv)
    lines = ["/* Generated by tools/fit_refnn_math.py: do not edit.  Chebyshev fits (mpmath.chebyfit), coefficients\n",
             " * rounded to double; the error bound of each fit (log2, weighted as the script says) follows its name. */\n",
             "#ifndef REFNN_MATH_POLY_H\n#define REFNN_MATH_POLY_H\n"]
    for name, (f, (a, b), n, shift, weight, tier) in FITS.items():
        coeffs = chebyfit(f, a, b, n, shift)
        err = max_error(f, coeffs, a, b, shift, weight, tier=tier)
        print(f"{name}: {n} terms, max weighted error 2^{float(mp.log(err, 2)):.1f}", file=sys.stderr)
        lines.append(f"/* {name}: 2^{float(mp.log(err, 2)):.1f} */\n" + horner(name, coeffs, tier))
    for tier, n in ERFC_TERMS.items():
        pieces = []
        # float64: e^(x^2) erfc(x), the error weighted by e^(-x^2); float32: erfc(x), absolute error
        fn, weight = (erfc_scaled, lambda x: mp.exp(-x * x)) if tier == "D" else (mp.erfc, lambda x: 1)
        sel = "refnn__sel" if tier == "D" else "refnn__self"
        for a, b in ERFC_PIECES[tier]:
            centre = (a + b) / 2
            f = erf_mid_q(erf_piece_const(a, b)) if (tier == "F32" and b <= 1) else fn
            coeffs = chebyfit(f, a, b, n, centre)
            err = max_error(f, coeffs, a, b, centre, weight, tier=tier)
            print(f"ERFC_{tier} [{float(a)}, {float(b)}]: {n} terms, max error 2^{float(mp.log(err, 2)):.1f}",
                  file=sys.stderr)
            pieces.append((centre, coeffs, err))
        what = "e^(-x^2) R" if tier == "D" else "Q"
        lines.append(f"/* ERFC_{tier}: pieces " + ", ".join(f"[{float(a)!r}, {float(b)!r}]" for a, b in ERFC_PIECES[tier])
                     + " centred at " + ", ".join(repr(float(c)) for c, _, _ in pieces) + f"; errors of {what}: "
                     + ", ".join(f"2^{float(mp.log(e, 2)):.1f}" for _, _, e in pieces) + " */\n")
        lines.append(f"#define REFNN_ERFC_TERMS_{tier} {n}\n")
        conds = ["lo", "mid"] if tier == "D" else [f"p{i}" for i in range(len(pieces) - 1)]
        head = ", ".join(conds)
        if tier == "F32":
            consts = [erf_piece_const(a, b) for a, b in ERFC_PIECES[tier]]
            lines.append(f"#define REFNN_ERFC_CONST_{tier}({head}) "
                         + sel_chain(sel, conds[:sum(c != 1.0 for c in consts)],
                                     [f"{c!r}f" for c in consts[:sum(c != 1.0 for c in consts) + 1]]) + "\n")
        lines.append(f"#define REFNN_ERFC_CENTRE_{tier}({head}) "
                     + sel_chain(sel, conds, [rounded(p[0], tier) for p in pieces]) + "\n")
        for i in range(n):      # coefficient of t^i
            cs = [rounded(p[1][n - 1 - i], tier) for p in pieces]
            lines.append(f"#define REFNN_ERFC_C{i}_{tier}({head}) " + sel_chain(sel, conds, cs) + "\n")
    lines.append("#endif\n")
    if not args.check:
        with open(args.out, "w") as fh:
            fh.writelines(lines)
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
