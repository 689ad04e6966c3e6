#!/usr/bin/env bash
# Runs on the GPU machine from $VX_APP after `. /tmp/vx/env.sh`: GPU tests, then benchmarks.
#   bash run-gpu-suite.sh [tests|bench|all] [junit selectors...]
# Everything it prints also goes to $OUT/log; JUnit XML to $OUT/junit, benchmark results to $OUT/bench.
set -uo pipefail
WHAT=${1:-all}; shift || true
OUT=${OUT:-/tmp/vx-out}; mkdir -p "$OUT"
export VXFLOW_CACHE_DIR=/tmp/vx-cache VXFLOW_TEST_MODELS=/tmp/vx-models
CP="lib/ffmpeg-gpl.jar:test-classes/gpu:test-classes/it:lib/assertj-core.jar:lib/byte-buddy.jar:lib/vxflow.jar"
JAVA_OPTS="-Xmx16g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  java -version 2>&1 | head -1
  if [ ! -f "$VXFLOW_TEST_MODELS/yolov8s-640.onnx" ]; then
    mkdir -p "$VXFLOW_TEST_MODELS" && timeout 300 python3 export_models.py "$VXFLOW_TEST_MODELS" 2>&1 | grep -v Warning | tail -5
  fi
  if [ "$WHAT" = tests ] || [ "$WHAT" = all ]; then
    SEL=("$@"); [ ${#SEL[@]} -eq 0 ] && SEL=(--select-package io.vxflow)
    timeout 540 java $JAVA_OPTS -jar lib/junit-console.jar execute --class-path "$CP" "${SEL[@]}" --include-tag gpu \
      --details=tree --disable-banner --reports-dir "$OUT/junit" 2>&1 | grep -v "^\s*at \|argument placeholders\|Name collision"
  fi
  if [ "$WHAT" = bench ] || [ "$WHAT" = all ]; then
    V="timeout 540 java $JAVA_OPTS -cp lib/vxflow.jar io.vxflow.job.cli.Vxflow bench"
    $V ops --out-dir "$OUT/bench"
    $V decode --out-dir "$OUT/bench" --streams 1,8,16,32,64 --slots 16 --frames 600
    $V infer --out-dir "$OUT/bench" --models squares,$VXFLOW_TEST_MODELS/resnet50-224.onnx,$VXFLOW_TEST_MODELS/yolov8s-640.onnx
  fi
} 2>&1 | tee -a "$OUT/log"
