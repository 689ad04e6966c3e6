#!/usr/bin/env bash
# Runs on the GPU machine from $VX_APP after `. /tmp/vx/env.sh`: one burst at a release commit, inside
# one device call: the test models are exported, the whole GPU suite runs, and with what is left of
# the call the YOLOv8-s-shaped detector runs end to end (bench e2e builds its engine before the clock).
#   bash final-burst.sh [streams]      results under $OUT (log, junit, gpu-tests-<date>.md, e2e/)
# Nothing else runs on the GPU while the suite does: on 2026-12-01 an engine build for the detector
# beside the suite's own (ModelParityGpuTest, max batch 8) slowed both past 320 s (TensorRT times its
# tactics on the GPU), and the suite was cut off before it wrote a report.
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
TESTS_TIMEOUT=${TESTS_LIMIT:-380} bash run-gpu-suite.sh tests > /dev/null 2>&1
stamp "GPU suite done: $(grep -a 'tests successful\|tests failed\|tests aborted\|tests skipped' "$OUT/log" | tr -s ' ' | tr '\n' ' ')"
# whatever time is left of the call (BUDGET seconds from the start) goes to the detector end to end
LEFT=$(( ${BUDGET:-550} - ($(date +%s) - T0) ))
if [ "$LEFT" -ge 110 ]; then
  LIMIT=$LEFT SECS=${SECS:-40} WARMUP=${WARMUP:-20} STREAMS=$STREAMS COMPARE=none bash run-e2e.sh yolo > /dev/null 2>&1
  stamp "yolo e2e done"
else
  stamp "yolo e2e not run: only $LEFT s of the call left"
fi
