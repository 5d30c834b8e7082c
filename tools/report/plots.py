"""The report's figures, as base64 PNG strings for inline <img> tags (matplotlib, Agg backend)."""
import base64
import io
import math

FLOOR = 1e-12          # errors of exactly 0 are drawn at this floor
COLORS = {"passed": "#2e7d32", "disagrees": "#0277bd", "failed": "#c62828", "xfail": "#f9a825", "xpass": "#6a1b9a",
          "skipped": "#9e9e9e"}
REFNN, TORCH = "#1565c0", "#ef6c00"


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    _plt().close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def status_by_family(report):
    fams = report["families"]
    if not fams:
        return None
    plt = _plt()
    names = list(fams)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(names) + 1.0))
    left = [0] * len(names)
    for status, color in COLORS.items():
        values = [fams[n][status] for n in names]
        if any(values):
            ax.barh(names, values, left=left, color=color,
                    label="torch disagrees" if status == "disagrees" else status)
            left = [a + b for a, b in zip(left, values)]
    ax.invert_yaxis()
    ax.set_xlabel("case runs")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _log(x):
    return math.log10(max(x, FLOOR)) if x is not None and math.isfinite(x) else math.log10(FLOOR)


def accuracy_scatter(report):
    cases = report["accuracy"]["cases"]
    if not cases:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    fams = sorted({c["family"] for c in cases})
    cmap = plt.get_cmap("tab10")
    for i, fam in enumerate(fams):
        sel = [c for c in cases if c["family"] == fam]
        ax.scatter([max(c["torch_rel"], FLOOR) for c in sel], [max(c["refnn_rel"], FLOOR) for c in sel],
                   s=14, alpha=0.7, color=cmap(i % 10), label=fam)
    lo, hi = FLOOR, max([1e-3] + [max(c["torch_rel"], c["refnn_rel"]) for c in cases if
                                  math.isfinite(max(c["torch_rel"], c["refnn_rel"]))])
    ax.plot([lo, hi], [lo, hi], color="#555", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("torch float32: relative error vs float64")
    ax.set_ylabel("refnn float32: relative error vs float64")
    ax.set_title("below the diagonal: refnn closer to the exact value", fontsize=9)
    ax.legend(fontsize=7, frameon=False, ncol=2)
    return _png(fig)


def accuracy_histograms(report):
    cases = report["accuracy"]["cases"]
    if not cases:
        return None
    plt = _plt()
    fams = []
    for c in cases:
        if c["family"] not in fams:
            fams.append(c["family"])
    cols = min(3, len(fams))
    rows = math.ceil(len(fams) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.6 * rows), squeeze=False)
    bins = [x / 2 for x in range(2 * int(math.log10(FLOOR)) - 1, 3)]
    for ax, fam in zip(axes.flat, fams):
        sel = [c for c in cases if c["family"] == fam]
        ax.hist([_log(c["refnn_rel"]) for c in sel], bins=bins, histtype="step", lw=1.6, color=REFNN, label="refnn")
        ax.hist([_log(c["torch_rel"]) for c in sel], bins=bins, histtype="step", lw=1.2, ls="--", color=TORCH,
                label="torch")
        ax.set_title(f"{fam} ({len(sel)} cases)", fontsize=9)
        ax.set_xlabel("log10 relative error (−12 = exact)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(fams):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return _png(fig)


def speed_ratios(report):
    bench = report.get("bench") or {}
    results = [r for r in bench.get("results", []) if r.get("ratio")]
    if not results:
        return None
    plt = _plt()
    names = []
    for r in results:
        if r["name"] not in names:
            names.append(r["name"])
    threads = sorted({r["threads"] for r in results})
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(names) * max(1, len(threads)) / 1.5 + 1.2))
    height = 0.8 / len(threads)
    for k, t in enumerate(threads):
        ratio = {r["name"]: r["ratio"] for r in results if r["threads"] == t}
        ys = [i + k * height for i in range(len(names))]
        ax.barh(ys, [ratio.get(n, 0) for n in names], height=height, label=f"{t} thread(s)")
    ax.axvline(1.0, color="#555", lw=0.8, ls="--")
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(names))])
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("refnn time / torch time (log; < 1 is faster than torch)")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)
