#!/usr/bin/env python3
"""Plots vxflow bench results (docs/bench/*.jsonl) as PNGs. Needs matplotlib (the GPU machine has it).

    python3 tools/plot_bench.py docs/bench OUT_DIR
"""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

CEILING = 3690.0  # NVDEC aggregate frames/s measured with plain FFmpeg on this H200 (shared/device/README.md)


def rows(path):
    with open(path) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    return lines[0]["machine"], lines[1:]


def decode(src, out):
    machine, rs = rows(os.path.join(src, "decode.jsonl"))
    plt.figure(figsize=(7, 4.2))
    for name, style in (("NVDEC decode", "o-"), ("NVDEC + fused preprocess to fp16", "s--")):
        pts = sorted((r["params"]["streams"], r["value"]) for r in rs if r["name"] == name)
        plt.plot([p[0] for p in pts], [p[1] for p in pts], style, label=name)
    plt.axhline(CEILING, color="gray", lw=1, label="plain FFmpeg ceiling (3,690 frames/s)")
    plt.axhline(0.95 * CEILING, color="gray", lw=1, ls=":", label="95% of the ceiling")
    plt.xscale("log", base=2)
    plt.xlabel("concurrent 1080p30 H.264 streams (16 slots at most)")
    plt.ylabel("frames/s, all streams")
    plt.title("NVDEC aggregate decode, " + machine.get("gpu", "NVIDIA H200"), fontsize=10)
    plt.legend(fontsize=8)
    plt.grid(alpha=0.3)
    plt.tight_layout()
    plt.savefig(os.path.join(out, "decode.png"), dpi=110)


def infer(src, out):
    machine, rs = rows(os.path.join(src, "infer.jsonl"))
    plt.figure(figsize=(7, 4.2))
    models = sorted({r["name"].split(" TensorRT")[0] for r in rs if " TensorRT throughput" in r["name"]})
    for m in models:
        pts = sorted((r["params"]["batch"], r["value"]) for r in rs if r["name"] == m + " TensorRT throughput")
        plt.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=m + " (TensorRT)")
    for r in rs:
        if "ONNX Runtime" in r["name"] and r["params"]["batch"] == 8:
            plt.scatter([8], [r["value"]], marker="x", label=r["name"].replace(" ONNX Runtime CPU", ", ONNX Runtime CPU"))
    plt.xscale("log", base=2)
    plt.yscale("log")
    plt.xlabel("batch")
    plt.ylabel("images/s")
    plt.title("Inference, TensorRT " + machine.get("tensorrt", "") + " fp16 vs ONNX Runtime CPU", fontsize=10)
    plt.legend(fontsize=7)
    plt.grid(alpha=0.3)
    plt.tight_layout()
    plt.savefig(os.path.join(out, "infer.png"), dpi=110)


def ops(src, out):
    machine, rs = rows(os.path.join(src, "ops.jsonl"))
    us = [r for r in rs if r["unit"] == "us/frame" and "CPU" not in r["name"]]
    names = []
    for r in us:
        if r["name"] not in names:
            names.append(r["name"])
    b1 = [next(r["value"] for r in us if r["name"] == n and r["params"]["batch"] == 1) for n in names]
    b32 = [next((r["value"] for r in us if r["name"] == n and r["params"]["batch"] == 32), 0) for n in names]
    y = range(len(names))
    plt.figure(figsize=(8, 4.5))
    plt.barh([i + 0.2 for i in y], b1, height=0.4, label="batch 1")
    plt.barh([i - 0.2 for i in y], b32, height=0.4, label="batch 32")
    plt.yticks(list(y), names, fontsize=8)
    plt.xlabel("GPU microseconds per 1080p frame")
    plt.title("GPU operators, " + machine.get("gpu", "NVIDIA H200"), fontsize=10)
    plt.legend(fontsize=8)
    plt.grid(axis="x", alpha=0.3)
    plt.tight_layout()
    plt.savefig(os.path.join(out, "ops.png"), dpi=110)


if __name__ == "__main__":
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for f in (decode, infer, ops):
        f(src, out)
    print("plots in", out)
