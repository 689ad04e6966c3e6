#!/usr/bin/env bash
# Runs on the GPU machine from $VX_APP after `. /tmp/vx/env.sh`: GPU tests, benchmarks, demos.
#   bash run-gpu-suite.sh [tests|bench|ops|decode|infer|demo|all] [junit selectors | demo stream counts...]
# Everything it prints also goes to $OUT/log; JUnit XML to $OUT/junit, benchmark results to $OUT/bench,
# and, after the tests, $OUT/gpu-tests-<date>.md: the summary (counts, machine, commit; parity verdicts
# when the inference benchmark ran too) to commit as docs/bench/gpu-tests-<date>.md.
set -uo pipefail
WHAT=${1:-all}; shift || true
OUT=${OUT:-/tmp/vx-out}; mkdir -p "$OUT"
export VXFLOW_CACHE_DIR=/tmp/vx-cache VXFLOW_TEST_MODELS=/tmp/vx-models
# Here every GPU test must run: a skipped one (no usable GPU, CUDA libraries that fail to load, a
# missing encoder, model or library) is a failure (see gpu/src/test/.../testing/GpuTest.java).
export VXFLOW_REQUIRE_GPU=1
# CUPTI for SlotRuntimeCuptiGpuTest: libcupti.so.12 from the library path, else from wherever this
# machine has one: build-app.sh ships it in native/ (on 2026-12-02 the H200 machine had CUDA 13's libcupti.so.13 only).
has_cupti() { local d; for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/libcupti.so.12" ] && return 0; done; ldconfig -p 2>/dev/null | grep -q 'libcupti\.so\.12 '; }
if ! has_cupti; then
  CUPTI=$(find "${VX_APP:-.}" /tmp/vx /usr/local /opt /usr/lib -maxdepth 9 -name 'libcupti.so.12' 2>/dev/null | head -1)
  [ -n "$CUPTI" ] && export LD_LIBRARY_PATH="$(dirname "$CUPTI")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
CP="lib/ffmpeg-gpl.jar:test-classes/gpu:test-classes/it:lib/assertj-core.jar:lib/byte-buddy.jar:lib/archunit.jar:lib/vxflow.jar"
JAVA_OPTS="-Xmx16g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
# FFmpeg's GPL build (lib/ffmpeg-gpl.jar; libx264 and libx265 make the test streams), as in the Maven build's tests
JAVA_OPTS="$JAVA_OPTS -Dorg.bytedeco.javacpp.platform.extension=-gpl"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  java -version 2>&1 | head -1
  if [ ! -f "$VXFLOW_TEST_MODELS/yolov8s-640.onnx" ]; then
    mkdir -p "$VXFLOW_TEST_MODELS" && timeout 300 python3 export_models.py "$VXFLOW_TEST_MODELS" 2>&1 | grep -v Warning | tail -5
  fi
  if [ "$WHAT" = tests ] || [ "$WHAT" = all ]; then
    SEL=("$@"); [ ${#SEL[@]} -eq 0 ] && SEL=(--select-package io.vxflow)
    # everything on the system class path: Flink's MiniCluster loads job classes from it; testfeed prints each test as it
    # ends, so a run cut off by its time limit still shows how far it got (the XML reports are written at the end)
    timeout ${TESTS_TIMEOUT:-540} java $JAVA_OPTS -cp "$CP:lib/junit-console.jar" org.junit.platform.console.ConsoleLauncher execute "${SEL[@]}" \
      --include-classname '.*(Test|ITCase)' --include-tag gpu --details=testfeed --disable-ansi-colors --disable-banner --reports-dir "$OUT/junit" 2>&1 \
      | grep -av "^\s*at \|argument placeholders\|Name collision"
    echo "== CUPTI: $(has_cupti && echo "libcupti.so.12 on the library path" || echo "no libcupti.so.12 found: the CUPTI test fails")"
  fi
  V="timeout 540 java $JAVA_OPTS -cp $CP io.vxflow.job.cli.Vxflow"
  case "$WHAT" in bench|ops|all) $V bench ops --out-dir "$OUT/bench";; esac
  case "$WHAT" in bench|decode|all) $V bench decode --out-dir "$OUT/bench" --streams 1,8,16,32,64 --slots 16 --frames 600;; esac
  case "$WHAT" in bench|infer|all)
    $V bench infer --out-dir "$OUT/bench" --models squares,$VXFLOW_TEST_MODELS/resnet50-224.onnx,$VXFLOW_TEST_MODELS/yolov8s-640.onnx;;
  esac
  if [ "$WHAT" = tests ] || [ "$WHAT" = all ]; then
    SUMMARY="$OUT/gpu-tests-$(date -u +%F).md"
    python3 gpu_test_summary.py "$OUT/junit" --out "$SUMMARY" $([ -f "$OUT/bench/infer.jsonl" ] && echo --bench "$OUT/bench")
    echo "== GPU test summary (exit $?), commit it as docs/bench/$(basename "$SUMMARY"):"; cat "$SUMMARY"
  fi
  if [ "$WHAT" = plot ]; then
    python3 plot_bench.py bench-results "$OUT/plots"
  fi
  if [ "$WHAT" = demo ]; then
    for n in "${@:-16}"; do
      echo "== vxflow demo --backend gpu --streams $n"
      $V demo --backend gpu --streams "$n" --seconds 20 --batch 16 --out "$OUT/demo-$n.jsonl" 2>&1 | grep -av "WARN\|INFO" | tail -12
      gzip -f "$OUT/demo-$n.jsonl"
    done
  fi
} 2>&1 | tee -a "$OUT/log"
