#!/usr/bin/env python3
"""Draws the charts of docs/performance.md from the benchmark CSVs, with the standard library only.

    python3 benchmarks/plot.py [DATA_DIR] [IMAGES_DIR]

DATA_DIR (default docs/performance-data) holds BenchmarkDotNet's *-report.csv files and the latency harness's
Propagation*-report.csv; IMAGES_DIR (default docs/images) receives:
  hot-reads.svg    median ns per read of each read path: one thread; every core reading; every core reading + a 1 kHz writer
  propagation.svg  p50 / p99 / max of each propagation path
It also prints the ratios the doc quotes (each path against the volatile-field baseline of the same run, and each
path with the writer against itself without it).
"""
import csv
import glob
import math
import os
import sys
from xml.sax.saxutils import escape

TIME_UNITS = {"ns": 1.0, "us": 1e3, "μs": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}
COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"]


def nanoseconds(text):
    """'1,234.5 ns' or '12.3 μs' -> nanoseconds."""
    number, unit = text.strip().rsplit(" ", 1)
    return float(number.replace(",", "")) * TIME_UNITS[unit]


def read_report(data_dir, name):
    paths = glob.glob(os.path.join(data_dir, f"*{name}-report.csv"))
    if not paths:
        sys.exit(f"error: no *{name}-report.csv in {data_dir}")
    with open(paths[0], newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(v):
    """1,234 / 12.3 / 1.23: three significant digits without exponents."""
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def typical(row):
    """The median when BenchmarkDotNet reported one (robust to preemption on a shared machine), else the mean."""
    return nanoseconds(row["Median"] if row.get("Median") else row["Mean"])


def method(row):
    return row["Method"].strip("'")


def bar_chart(title, unit, groups, series, values, log, path):
    """Horizontal grouped bars: one group per label, one bar per series; values[(group, series)] -> number."""
    bar, gap, right, top = 14, 12, 90, 58
    left = 20 + 7 * max(len(g) for g in groups)  # room for the longest label
    plot_width = 520
    height = top + len(groups) * (len(series) * bar + gap) + 40
    shown = [v for v in values.values() if v and v > 0]
    if log:
        low = 10 ** math.floor(math.log10(min(shown)))
        high = 10 ** math.ceil(math.log10(max(shown)))
        scale = lambda v: (math.log10(v) - math.log10(low)) / (math.log10(high) - math.log10(low)) * plot_width
        ticks = [low * 10**i for i in range(int(round(math.log10(high / low))) + 1)]
    else:
        low, high = 0.0, max(shown) * 1.1
        step = 10 ** math.floor(math.log10(high / 2))
        scale = lambda v: v / high * plot_width
        ticks = [step * i for i in range(int(high / step) + 1)]

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + plot_width + right}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i, name in enumerate(series):
        x = left + i * 170
        out.append(f'<rect x="{x}" y="32" width="12" height="12" fill="{COLORS[i]}"/>')
        out.append(f'<text x="{x + 16}" y="42">{escape(name)}</text>')
    bottom = height - 30
    for tick in ticks:
        x = left + scale(tick)
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>')
        label = f"{tick:,g}"
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#555">{label}</text>')
    out.append(f'<text x="{left + plot_width / 2}" y="{bottom + 28}" text-anchor="middle">{escape(unit)}</text>')
    y = top
    for group in groups:
        out.append(f'<text x="{left - 8}" y="{y + len(series) * bar / 2 + 4}" text-anchor="end">{escape(group)}</text>')
        for i, name in enumerate(series):
            value = values.get((group, name))
            if value:
                width = max(scale(value), 1)
                out.append(f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{bar - 2}" fill="{COLORS[i]}"/>')
                out.append(f'<text x="{left + width + 4:.1f}" y="{y + bar - 4}" font-size="10">{number(value)}</text>')
            y += bar
        y += gap
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "docs/performance-data"
    images_dir = sys.argv[2] if len(sys.argv) > 2 else "docs/images"
    os.makedirs(images_dir, exist_ok=True)

    single = {method(r): typical(r) for r in read_report(data_dir, "HotReadBenchmarks")}
    contended = {(method(r), r["Writer"]): typical(r) for r in read_report(data_dir, "ContendedReadBenchmarks")}
    paths = list(single)
    series = ["1 thread", "all cores reading", "all cores + writer at 1 kHz"]
    values = {}
    for p in paths:
        values[(p, series[0])] = single[p]
        values[(p, series[1])] = contended.get((p, "False"))
        values[(p, series[2])] = contended.get((p, "True"))
    bar_chart("Hot read: ns per read (median, log scale, lower is better)", "nanoseconds per read", paths, series, values, True,
              os.path.join(images_dir, "hot-reads.svg"))

    baseline = single["volatile field"]
    print("\n| read path | 1 thread (ns) | × volatile | all cores (ns) | + writer at 1 kHz (ns) | writer slowdown |")
    print("|---|---:|---:|---:|---:|---:|")
    for p in paths:
        quiet, busy = contended.get((p, "False")), contended.get((p, "True"))
        slowdown = f"{(busy / quiet - 1) * 100:+.1f} %" if quiet and busy else "–"
        print(f"| {p} | {number(single[p])} | {single[p] / baseline:,.2f} | {number(quiet or 0)} | {number(busy or 0)} | {slowdown} |")
    monitor = single.get("IOptionsMonitor<T>.CurrentValue")
    if monitor:
        print(f"\nIOptionsMonitor<T>.CurrentValue / handle.Current.Value = {monitor / single['handle.Current.Value']:.1f}×")

    rows = []
    for latency_csv in sorted(glob.glob(os.path.join(data_dir, "Propagation*-report.csv"))):
        with open(latency_csv, newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    if rows:
        names = [r["Path"].split(": ", 1)[-1] for r in rows]
        stats = [("p50", "P50Ms"), ("p99", "P99Ms"), ("max", "MaxMs")]
        values = {(n, label): float(r[column]) for n, r in zip(names, rows) for label, column in stats}
        bar_chart("Propagation: change written → applied (ms, log scale)", "milliseconds", names, [s for s, _ in stats], values, True,
                  os.path.join(images_dir, "propagation.svg"))


if __name__ == "__main__":
    main()
