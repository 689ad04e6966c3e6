#!/usr/bin/env bash
# Runs on the GPU machine from $VX_APP after `. /tmp/vx/env.sh`: the steady-state end-to-end runs of
# docs/benchmarks.md, each a `vxflow bench e2e` (broker, real-time producer and job in their own JVMs).
#   bash run-e2e.sh smoke|squares|ratios|yolo|interval|drop|sweep|scale [extra bench e2e flags...]
# Each fits one device call (600 s) with room to pack the logs: a 300 s window and three comparisons do not
# (2026-12-02, 11:31 UTC: cut off at 600 s in the conventional comparison), hence squares and ratios apart.
# SECS, WARMUP and COMPARE override a run's window, warm-up and comparisons (flags may not be given twice).
# Results: $OUT/e2e (e2e.jsonl, e2e.md, SVG plots, child logs); everything printed also goes to $OUT/log.
set -uo pipefail
WHAT=${1:-smoke}; shift || true
OUT=${OUT:-/tmp/vx-out}; mkdir -p "$OUT/e2e"
export VXFLOW_CACHE_DIR=/tmp/vx-cache VXFLOW_TEST_MODELS=/tmp/vx-models VXFLOW_COMMIT=$(cat COMMIT 2>/dev/null)
CP="lib/ffmpeg-gpl.jar:lib/vxflow.jar"
JAVA_OPTS="-Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dorg.bytedeco.javacpp.platform.extension=-gpl"
V="java $JAVA_OPTS -cp $CP io.vxflow.job.cli.Vxflow"
# BROKER_DIR=/dev/shm puts the broker's log on a tmpfs (the frames topic takes 0.5 MB/s a stream; see docs/benchmarks.md)
E2E="$V bench e2e --backend gpu --out-dir $OUT/e2e --job-heap 32g ${BROKER_DIR:+--broker-dir $BROKER_DIR}"
# the page cache's dirty and writeback pages and the disk's writes, every second, beside each run: a broker that
# writes faster than the disk takes stalls in the kernel's dirty-page throttling, and everything behind it with it
mkdir -p "$OUT/e2e/logs"
( while sleep 1; do echo "$(date +%s) $(grep -E '^(Dirty|Writeback):' /proc/meminfo | awk '{printf "%s %s ", $1, $2}') $(awk '$3 ~ /^(vd|sd|nvme)[a-z0-9]*$/ && $3 !~ /p[0-9]+$/ {printf "%s wr_sectors %s ", $3, $10}' /proc/diskstats)"; done ) > "$OUT/e2e/logs/disk-$(date -u +%H%M%S).txt" 2>&1 &
SAMPLER=$!
# DUMP_EVERY=S: a thread dump of the job every S seconds (SIGQUIT: the JVM prints it into the job's log, which comes back)
if [ -n "${DUMP_EVERY:-}" ]; then
  ( while sleep "$DUMP_EVERY"; do for p in $(pgrep -f 'io.vxflow.job.cli.Vxflow run '); do kill -QUIT "$p" 2>/dev/null; done; done ) &
  DUMPER=$!
fi
trap 'kill $SAMPLER ${DUMPER:-} 2>/dev/null' EXIT
YOLO="$VXFLOW_TEST_MODELS/yolov8s-640.onnx"
yolo_model() {
  [ -f "$YOLO" ] || { mkdir -p "$VXFLOW_TEST_MODELS" && timeout 240 python3 export_models.py "$VXFLOW_TEST_MODELS" 2>&1 | grep -v Warning | tail -3; }
}
{
  echo "== $(date -u +%FT%TZ) run-e2e.sh $WHAT $* (commit $(cat COMMIT 2>/dev/null))"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.video --format=csv,noheader
  case "$WHAT" in
    smoke)    # does the whole thing hold together: 64 streams, short window, NVDEC alone beside it
      timeout 420 $E2E --streams 64 --slots 8 --batch 16 --seconds ${SECS:-30} --warmup ${WARMUP:-15} --compare ${COMPARE:-nvdec} "$@";;
    squares)  # the decode-bound target: 140 real-time streams, five minutes steady, NVDEC alone beside it
      timeout 560 $E2E --streams ${STREAMS:-140} --slots 8 --batch 16 --seconds ${SECS:-300} --warmup ${WARMUP:-45} --compare ${COMPARE:-nvdec} "$@";;
    ratios)   # the same 140 streams for a minute, then NVDEC alone, the conventional pipeline and the CPU backend at that load
      timeout 560 $E2E --streams ${STREAMS:-140} --slots 8 --batch 16 --seconds ${SECS:-60} --warmup ${WARMUP:-30} --compare ${COMPARE:-nvdec,conventional,cpu} --compare-seconds 40 "$@";;
    yolo)     # a YOLOv8-s-shaped detector at full batches; the engine is built before the clock
      yolo_model
      timeout ${LIMIT:-590} $E2E --model "$YOLO" --streams ${STREAMS:-120} --slots ${SLOTS:-4} --batch 32 --max-wait-ms 25 --seconds ${SECS:-90} --warmup ${WARMUP:-45} --compare ${COMPARE:-nvdec} "$@";;
    interval) # the inference interval where a detector's inference is the limit: YOLOv8-s at max batch 8, the engine
              # GPU suite part 1 (ModelParityGpuTest) leaves in /tmp/vx-cache (same key: model, fp16, max batch 8), so
              # nothing builds; 140 streams analysing every frame, then every third, back to back in one call
      yolo_model
      if timeout 60 $V engine build --model "$YOLO" --max-batch 8 --precision fp16 2>&1 | tail -2; [ "${PIPESTATUS[0]}" != 0 ]; then
        echo "no cached YOLOv8-s engine for max batch 8 (run final-burst.sh 1 first in this staging): interval runs skipped"
      else
        for N in ${INTERVALS:-1 3}; do
          timeout ${LIMIT:-260} $E2E --model "$YOLO" --streams ${STREAMS:-140} --slots ${SLOTS:-8} --batch 8 --max-wait-ms 25 \
            --seconds ${SECS:-45} --warmup ${WARMUP:-20} --compare none -Dvxflow.infer.interval=$N "$@"
          echo "== interval $N: exit $?"
        done
      fi;;
    drop)     # twice the decode capacity with the drop policy: latency stays bounded, every frame one result
      timeout 420 $E2E --streams 280 --slots 8 --batch 16 --seconds ${SECS:-120} --warmup ${WARMUP:-20} --compare ${COMPARE:-none} --target-p99-ms 2000 \
        -Dvxflow.overload.policy=drop -Dvxflow.overload.max-lag=500ms "$@";;
    sweep)    # one knob at a time at a fixed load, back to back in one call: RUNS is a ';'-separated list of each
              # run's flag set (slots, batch, max wait, checkpoint interval...), the rest the same for all
              # e.g. RUNS='--slots 8 --batch 16 --checkpoint-interval-ms 500;--slots 8 --batch 16 --checkpoint-interval-ms 10000'
      IFS=';' read -ra SETS <<< "${RUNS:?RUNS: a flag set for each run, separated by semicolons}"
      for SET in "${SETS[@]}"; do
        echo "== sweep run: $SET"
        # shellcheck disable=SC2086  # each set is a list of flags
        timeout ${LIMIT:-175} $E2E --streams ${STREAMS:-128} --seconds ${SECS:-75} --warmup ${WARMUP:-30} --compare none $SET "$@"
        echo "== sweep run exit $?: $SET"
      done;;
    scale)    # throughput with GPUs: STREAMS on GPU 0 alone, then STREAMS per GPU over all NG GPUs the machine has, 8 slots
              # a GPU; nvidia-smi dmon logs every GPU's SM and NVDEC use beside both (the benchmark's own sampler reads GPU 0)
      NG=$(nvidia-smi -L | wc -l); N1=${STREAMS:-128}
      nvidia-smi dmon -s u -o T > "$OUT/e2e/logs/dmon-$(date -u +%H%M%S).txt" 2>&1 & DMON=$!
      echo "== scale: 1 GPU, $N1 streams"
      CUDA_VISIBLE_DEVICES=0 timeout ${LIMIT:-250} $E2E --streams $N1 --slots 8 --batch 16 --seconds ${SECS:-90} --warmup ${WARMUP:-30} --compare none "$@"
      echo "== scale: 1 GPU exit $?"
      echo "== scale: $NG GPUs, $((N1 * NG)) streams"
      timeout ${LIMIT:-250} $E2E --streams $((N1 * NG)) --slots $((8 * NG)) --batch 16 --seconds ${SECS:-90} --warmup ${WARMUP:-30} --compare none "$@"
      echo "== scale: $NG GPUs exit $?"
      kill $DMON 2>/dev/null;;
    *) echo "run-e2e.sh: unknown run '$WHAT' (smoke, squares, ratios, yolo, interval, drop, sweep, scale)";;
  esac
  echo "== exit $? at $(date -u +%FT%TZ)"
  gzip -f "$OUT"/e2e/logs/*.log 2>/dev/null
  # the device returns only a few files per call: the child logs travel as one archive
  [ -d "$OUT/e2e/logs" ] && tar -C "$OUT/e2e" -cf "$OUT/e2e/logs-$(date -u +%H%M%S).tar" logs && rm -rf "$OUT/e2e/logs"
  tail -n 3 "$OUT/e2e/e2e.md" 2>/dev/null
} 2>&1 | tee -a "$OUT/log"
