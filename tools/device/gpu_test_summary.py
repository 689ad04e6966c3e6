#!/usr/bin/env python3
"""Turns a GPU run's JUnit XML into the Markdown summary committed beside the benchmarks.

    python3 gpu_test_summary.py JUNIT_DIR... [--bench BENCH_DIR] [--commit ID] [--out FILE]

Reads every TEST-*.xml under each JUNIT_DIR (the JUnit console launcher's legacy reports; several
folders when the suite ran in parts), and, with
--bench, the parity verdicts of BENCH_DIR/infer.jsonl. Writes docs/bench/gpu-tests-<date>.md's
content to --out (default: stdout): which commit, which machine, whether VXFLOW_REQUIRE_GPU was set
(so that a skipped GPU test counts as a failure), counts per test class, and every failure and skip
with its message. The commit comes from --commit, else $VXFLOW_COMMIT, else a COMMIT file next to
this script (tools/device/build-app.sh writes one), else it is reported as unknown.

Exit status: 0 when tests ran and none failed, errored or was skipped under VXFLOW_REQUIRE_GPU=1
(and no parity verdict says FAIL); 1 otherwise; 2 for bad arguments. Python 3 standard library only:
the GPU machine has no Java build tools.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import xml.etree.ElementTree as ET


def parse_reports(junit_dirs):
    """Every test case of every report, as dicts: class, name, time, outcome, message."""
    cases, props = [], {}
    paths = [p for d in junit_dirs for p in sorted(glob.glob(os.path.join(d, "**", "TEST-*.xml"), recursive=True))]
    for path in paths:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for suite in suites:
            for p in suite.iter("property"):
                props.setdefault(p.get("name"), p.get("value"))
            for case in suite.iter("testcase"):
                outcome, message = "passed", ""
                for child in case:
                    if child.tag in ("failure", "error", "skipped"):
                        outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                        message = child.get("message") or (child.text or "").strip()
                        break
                cases.append({"class": case.get("classname") or suite.get("name", "?"), "name": case.get("name", "?"),
                              "time": float(case.get("time") or 0), "outcome": outcome, "message": one_line(message)})
    return cases, props


def one_line(text, limit=400):
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def parity_verdicts(bench_dir):
    """(case, verdict, value, unit) of each parity row in infer.jsonl; empty when there is none."""
    path = os.path.join(bench_dir, "infer.jsonl")
    rows = []
    if not os.path.isfile(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if "parity" in row.get("name", ""):
                params = row.get("params", {})
                verdict = params.get("verdict", "(no verdict: written before parity was matched both ways)")
                rows.append((row["name"], verdict, row.get("value"), row.get("unit", ""), params))
    return rows


def machine():
    """What the tests ran on, from the machine itself."""
    facts = {}
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,compute_cap", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
        gpus = [g.strip() for g in out.stdout.strip().splitlines() if g.strip()]
        facts["GPU"] = "; ".join(gpus) if gpus else "none reported by nvidia-smi (" + one_line(out.stderr, 120) + ")"
    except (OSError, subprocess.SubprocessError) as e:
        facts["GPU"] = "nvidia-smi not available (" + str(e) + ")"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    facts["host"] = "%s, %s, %d cores" % (platform.node(), cpu, os.cpu_count() or 0)
    return facts


def commit_id(given):
    if given:
        return given
    if os.environ.get("VXFLOW_COMMIT"):
        return os.environ["VXFLOW_COMMIT"]
    for path in (os.path.join(os.path.dirname(os.path.abspath(__file__)), "COMMIT"), "COMMIT"):
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                text = f.read().strip()
                if text:
                    return text
    return "unknown (no --commit, $VXFLOW_COMMIT or COMMIT file)"


def summarize(cases, props, parity, commit, facts, required, date):
    counts = {k: sum(1 for c in cases if c["outcome"] == k) for k in ("passed", "failed", "error", "skipped")}
    bad_parity = [p for p in parity if not str(p[1]).startswith("ok")]
    failed = counts["failed"] + counts["error"] + (counts["skipped"] if required else 0)
    ok = bool(cases) and failed == 0 and not bad_parity
    lines = ["# GPU tests at %s, %s" % (commit, date), ""]
    verdict = "FAILED" if not ok else "PASSED" if counts["skipped"] == 0 else "PASSED, with skips"
    lines.append("**%s**: %d tests, %d passed, %d failed, %d errors, %d skipped%s." % (
        verdict, len(cases), counts["passed"], counts["failed"], counts["error"], counts["skipped"],
        "" if cases else " (no test reports found)"))
    lines.append("")
    lines.append("- commit: %s" % commit)
    lines.append("- VXFLOW_REQUIRE_GPU: %s" % ("1 (every skipped GPU test is a failure)" if required else
                                                "not set: skipped GPU tests are not failures, so this run proves less"))
    for k, v in facts.items():
        lines.append("- %s: %s" % (k, v))
    java = " ".join(x for x in (props.get("java.vm.name"), props.get("java.version")) if x)
    if java:
        lines.append("- Java: %s" % java)
    lines.append("")
    lines.append("| test class | tests | passed | failed | skipped | seconds |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for cls in sorted({c["class"] for c in cases}):
        mine = [c for c in cases if c["class"] == cls]
        lines.append("| %s | %d | %d | %d | %d | %.1f |" % (
            cls.replace("io.vxflow.", ""), len(mine), sum(c["outcome"] == "passed" for c in mine),
            sum(c["outcome"] in ("failed", "error") for c in mine), sum(c["outcome"] == "skipped" for c in mine),
            sum(c["time"] for c in mine)))
    for title, outcomes in (("Failures", ("failed", "error")), ("Skipped", ("skipped",))):
        listed = [c for c in cases if c["outcome"] in outcomes]
        if listed:
            lines += ["", "## " + title, ""]
            lines += grouped(listed)
    if parity:
        lines += ["", "## CPU/GPU parity (vxflow bench infer)", "", "| case | verdict | agreement | details |", "| --- | --- | ---: | --- |"]
        for name, verdict, value, unit, params in parity:
            details = ", ".join("%s %s" % (k, v) for k, v in params.items() if k != "verdict")
            lines.append("| %s | %s | %s %s | %s |" % (name, verdict, "%.2f" % value if isinstance(value, (int, float)) else value, unit, details))
    return "\n".join(lines) + "\n", ok


def grouped(listed):
    """One line per test, except that tests failing with the same message (a class that could not start) share one."""
    by_message = {}
    for c in listed:
        by_message.setdefault(c["message"] or "(no message)", []).append(c)
    lines = []
    for message, group in by_message.items():
        if len(group) > 3:
            classes = sorted({c["class"].replace("io.vxflow.", "") for c in group})
            lines.append("- %d tests of %s: %s" % (len(group), ", ".join("`%s`" % c for c in classes), message))
        else:
            lines += ["- `%s.%s`: %s" % (c["class"].replace("io.vxflow.", ""), c["name"], message) for c in group]
    return lines


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("junit_dirs", nargs="+", metavar="junit_dir")
    ap.add_argument("--bench", help="benchmark output folder with infer.jsonl")
    ap.add_argument("--commit")
    ap.add_argument("--out")
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    args = ap.parse_args(argv)
    for d in args.junit_dirs:
        if not os.path.isdir(d):
            print("gpu_test_summary: %s is not a folder" % d, file=sys.stderr)
            return 2
    cases, props = parse_reports(args.junit_dirs)
    parity = parity_verdicts(args.bench) if args.bench else []
    required = os.environ.get("VXFLOW_REQUIRE_GPU", "").strip().lower() in ("1", "true")
    text, ok = summarize(cases, props, parity, commit_id(args.commit), machine(), required, args.date)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
