#!/usr/bin/env bash
# Runs on the GPU machine from $VX_APP after `. /tmp/vx/env.sh`: one burst at a release commit, inside
# one device call. The test models are exported first; then the YOLOv8-s engine for the end-to-end
# run (max batch 32, fp16) builds in its own process while the whole GPU suite runs, and once both
# are done the detector runs end to end (bench e2e, engine from the cache).
#   bash final-burst.sh [streams]      results under $OUT (log, junit, gpu-tests-<date>.md, e2e/)
set -uo pipefail
STREAMS=${1:-120}
OUT=${OUT:-/tmp/vx-out}; mkdir -p "$OUT"
export VXFLOW_CACHE_DIR=/tmp/vx-cache VXFLOW_TEST_MODELS=/tmp/vx-models VXFLOW_COMMIT=$(cat COMMIT 2>/dev/null)
T0=$(date +%s)
stamp() { echo "== +$(( $(date +%s) - T0 )) s: $*" | tee -a "$OUT/log"; }
stamp "final burst at commit $VXFLOW_COMMIT"
mkdir -p "$VXFLOW_TEST_MODELS"
timeout 110 python3 export_models.py "$VXFLOW_TEST_MODELS" 2>&1 | grep -v Warning | tail -3 | tee -a "$OUT/log"
stamp "models exported"
JAVA_OPTS="-Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dorg.bytedeco.javacpp.platform.extension=-gpl"
( timeout 240 java $JAVA_OPTS -cp lib/ffmpeg-gpl.jar:lib/vxflow.jar io.vxflow.job.cli.Vxflow engine build \
    --model "$VXFLOW_TEST_MODELS/yolov8s-640.onnx" --max-batch 32 --precision fp16 > "$OUT/engine-build.log" 2>&1
  echo "engine build exit $?" >> "$OUT/engine-build.log" ) &
ENGINE=$!
TESTS_TIMEOUT=${TESTS_LIMIT:-380} bash run-gpu-suite.sh tests > /dev/null 2>&1
stamp "GPU suite done: $(grep -a 'tests successful\|tests failed\|tests aborted\|tests skipped' "$OUT/log" | tr -s ' ' | tr '\n' ' ')"
wait $ENGINE; tail -2 "$OUT/engine-build.log" | tee -a "$OUT/log"
stamp "engine ready"
# whatever time is left of the call (BUDGET seconds from the start) goes to the detector end to end
LEFT=$(( ${BUDGET:-550} - ($(date +%s) - T0) ))
if [ "$LEFT" -ge 110 ]; then
  LIMIT=$LEFT SECS=${SECS:-40} WARMUP=${WARMUP:-20} STREAMS=$STREAMS COMPARE=none bash run-e2e.sh yolo > /dev/null 2>&1
  stamp "yolo e2e done"
else
  stamp "yolo e2e not run: only $LEFT s of the call left"
fi
