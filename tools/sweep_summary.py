#!/usr/bin/env python3
"""Summarises `vxflow bench e2e` records of a sweep (one knob at a time, see run-e2e.sh sweep) as a Markdown
table and an SVG chart, with the Python standard library only (no matplotlib on the development VM).

    python3 tools/sweep_summary.py OUT.svg RECORD.jsonl [RECORD.jsonl ...] > table.md

Per run: latency p50 / p99 over the steady-state window, the median second's p99, the seconds of the window
whose p99 passed the target, mean batch, the job's cores, GPU busy and GPU memory a stream. The chart draws
p50, the median second's p99 and p99 per run (left axis, ms) and the job's cores (right axis).
"""
import json
import statistics
import sys
from xml.sax.saxutils import escape


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def knobs(r):
    return "slots %d, batch %d, wait %d ms, checkpoint %g s" % (
        r["slots"], r["batch_max"], r.get("max_wait_ms") or 10, r["checkpoint_interval_ms"] / 1000)


def window_p99s(r):
    tl = r["latency_timeline"]
    w0, w1 = tl["window_s"]
    return [p for t, p in zip(tl["t_s"], tl["p99"]) if w0 <= t < w1 and p is not None]


def summary(r):
    p99s = window_p99s(r)
    lat = r["latency_ms"]
    return {
        "run": knobs(r), "date": r["date"], "p50": lat["p50"], "p99": lat["p99"], "max": lat["max"],
        "median_second_p99": statistics.median(p99s) if p99s else None,
        "seconds_over": sum(p > r["target_p99_ms"] for p in p99s), "seconds": len(p99s),
        "mean_batch": r["mean_batch"], "batch_wait_ms": r["latency_breakdown"]["all"]["stages_ms"]["batch_wait"],
        "job_cores": r["job_cpu_cores"], "gpu_util": r["gpu_util"], "mib_per_stream": r["gpu_mem_mib_per_stream"],
        "warmup_s": r["warmup"]["s"], "settled_s": r["warmup"]["settled_s"], "results_per_s": r["results_per_s"],
        "exact": r["lost"] == 0 and r["duplicates"] == 0 and r["out_of_order"] == 0 and r["boxes_wrong"] == 0,
        "results": r["results"], "target": r["target_p99_ms"],
    }


def table(rows):
    out = ["| run | started (UTC) | results/s | p50 / p99 / max ms | median second's p99 | seconds over %d ms |"
           " mean batch | batch wait ms | job cores | GPU busy | GPU MiB/stream | warm-up / settled s | exactly once |"
           % rows[0]["target"],
           "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for s in rows:
        out.append("| %s | %s | %s | %d / %d / %d | %s | %d of %d | %.1f | %.1f | %.2f | %.1f%% | %.1f | %.1f / %.1f | %s |" % (
            s["run"], s["date"][11:16], format(s["results_per_s"], ",.0f"), s["p50"], s["p99"], s["max"],
            "%g" % s["median_second_p99"], s["seconds_over"], s["seconds"], s["mean_batch"], s["batch_wait_ms"],
            s["job_cores"], s["gpu_util"], s["mib_per_stream"], s["warmup_s"], s["settled_s"],
            ("yes, %s results" % format(s["results"], ",")) if s["exact"] else "**no**"))
    return "\n".join(out)


def svg(rows):
    w, h, left, right, top, bottom = 760, 380, 60, 60, 30, 120
    pw, ph = w - left - right, h - top - bottom
    ymax = max(max(s["p99"] for s in rows), 1) * 1.15
    cmax = max(max(s["job_cores"] for s in rows), 0.1) * 1.3
    slot = pw / len(rows)
    bar = slot / 5
    series = (("p50", "#4c78a8"), ("median_second_p99", "#72b7b2"), ("p99", "#e45756"))
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (w, h),
             '<rect width="100%" height="100%" fill="white"/>']
    for i in range(6):  # left axis grid, ms
        v = ymax * i / 5
        y = top + ph - ph * i / 5
        parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, y, left + pw, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (left - 4, y + 4, v))
        parts.append('<text x="%d" y="%.1f">%.1f</text>' % (left + pw + 4, y + 4, cmax * i / 5))
    parts.append('<text x="12" y="%d" transform="rotate(-90 12 %d)">latency, ms</text>' % (top + ph // 2, top + ph // 2))
    parts.append('<text x="%d" y="%d" transform="rotate(90 %d %d)">job cores</text>' % (w - 12, top + ph // 2, w - 12, top + ph // 2))
    cores = []
    for i, s in enumerate(rows):
        x0 = left + i * slot + bar
        for j, (key, colour) in enumerate(series):
            v = s[key] or 0
            bh = ph * v / ymax
            parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %g ms</title></rect>'
                         % (x0 + j * bar, top + ph - bh, bar * 0.9, bh, colour, escape(s["run"]), key, v))
        cores.append((left + i * slot + slot / 2, top + ph - ph * s["job_cores"] / cmax))
        label = s["run"].split(", ")
        for k, part in enumerate(label):
            parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (left + i * slot + slot / 2, top + ph + 16 + 13 * k, escape(part)))
    parts.append('<polyline fill="none" stroke="black" stroke-width="1.5" points="%s"/>' % " ".join("%.1f,%.1f" % c for c in cores))
    for c in cores:
        parts.append('<circle cx="%.1f" cy="%.1f" r="3"/>' % c)
    lx = left
    for key, colour in series + (("job cores (right axis)", "black"),):
        parts.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>'
                     % (lx, h - 22, colour, lx + 14, h - 13, key.replace("_", " ")))
        lx += 150
    parts.append('</svg>')
    return "\n".join(parts)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = [summary(r) for path in argv[2:] for r in load(path) if r.get("mode") == "e2e"]
    if not rows:
        print("sweep_summary.py: no e2e records in %s" % ", ".join(argv[2:]), file=sys.stderr)
        return 1
    with open(argv[1], "w") as f:
        f.write(svg(rows))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
