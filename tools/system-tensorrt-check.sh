#!/usr/bin/env bash
# Checks --tensorrt-home's loading on a machine without a GPU (what docs/gpus.md reports as tested on the CPU):
# TensorRT 10.6's libraries, taken out of JavaCPP's redist jar into a folder, play the "system TensorRT";
# a stub libcuda.so.1 stands in for the driver (JavaCPP's CUDA binding links it; nothing here calls it).
# Four fresh JVMs (SystemTensorRtProbe, gpu test classes), each must print what is expected:
#   1. home, no TensorRT jar on the class path       -> loaded from the home
#   2. home, the TensorRT redist jar on the class path -> loaded from the home, one libnvinfer in the process
#   3. TensorRT loaded from the jar first, then a home -> refused, one line
#   4. no home, the folder on LD_LIBRARY_PATH (the GPU machine's pack) -> loaded from that folder
# Needs gcc, unzip, and the CUDA and TensorRT redist jars in ~/.m2 (about 3 GB: mvn -pl deploy -Pgpu-redist package
# fetches them). Unpacks about 3 GB into $WORK (default /tmp/vx-systrt), removed at the end. About 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/vx-systrt}
M2=${M2:-$HOME/.m2/repository}/org/bytedeco
CUDA_REDIST=$M2/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64-redist.jar
TRT_REDIST=$M2/tensorrt/10.6-1.5.11/tensorrt-10.6-1.5.11-linux-x86_64-redist.jar
for f in "$CUDA_REDIST" "$TRT_REDIST"; do [ -f "$f" ] || { echo "missing $f (mvn -pl deploy -Pgpu-redist package fetches it)" >&2; exit 2; }; done
mvn -B -q -o -pl gpu test-compile
mvn -B -q -o -pl gpu dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test > /dev/null
rm -rf "$WORK/home" "$WORK/stub" "$WORK/cache" && mkdir -p "$WORK/home/lib" "$WORK/stub"
trap 'rm -rf "$WORK/cache" "$WORK/home"' EXIT
unzip -q -o -j "$TRT_REDIST" -d "$WORK/home/lib" 'org/bytedeco/tensorrt/linux-x86_64/libnvinfer.so.10' \
    'org/bytedeco/tensorrt/linux-x86_64/libnvinfer_plugin.so.10' 'org/bytedeco/tensorrt/linux-x86_64/libnvonnxparser.so.10'
JNI=$(unzip -Z1 "$M2/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64.jar" | grep 'libjnicudart.so$')
unzip -q -o -j "$M2/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64.jar" "$JNI" -d "$WORK/stub"
{ echo '#include <stdlib.h>'; nm -D --undefined-only "$WORK/stub/libjnicudart.so" | awk '{print $2}' | grep -v '@' | grep -E '^cu[A-Z]' \
    | sed 's/.*/void &(void){abort();}/'; } > "$WORK/stub/cuda.c"
gcc -shared -fPIC -o "$WORK/stub/libcuda.so.1" "$WORK/stub/cuda.c" -Wl,-soname,libcuda.so.1 && rm "$WORK/stub/libjnicudart.so"
CP="gpu/target/classes:gpu/target/test-classes:$(cat "$WORK/cp.txt"):$CUDA_REDIST"
probe() { # LD_LIBRARY_PATH, class path, args...
  local ld=$1 cp=$2; shift 2
  LD_LIBRARY_PATH=$ld timeout 600 java -Dorg.bytedeco.javacpp.cachedir="$WORK/cache" -cp "$cp" io.vxflow.gpu.trt.SystemTensorRtProbe "$@" 2>&1 \
    | grep -v 'stack guard\|execstack' || true
}
H="$WORK/home/lib"; fail=0
expect() { # what, output, expected substring
  if grep -qF -- "$3" <<< "$2"; then echo "ok   $1"; else echo "FAIL $1: expected '$3' in:"; echo "$2"; fail=1; fi
}
out=$(probe "$WORK/stub" "$CP" "$WORK/home"); expect "1. home, no TensorRT jar" "$out" "loaded 10.6.0.26 from $H/libnvinfer.so.10"
out=$(probe "$WORK/stub" "$CP:$TRT_REDIST" "$WORK/home"); expect "2. home, redist jar on the class path" "$out" "libnvinfer files mapped: [$H/libnvinfer.so.10]"
out=$(probe "$WORK/stub" "$CP:$TRT_REDIST" "$WORK/home" late); expect "3. TensorRT loaded before the home" "$out" "refused: TensorRT home $WORK/home comes too late: this JVM already loaded TensorRT from $WORK/cache/"
out=$(probe "$WORK/stub:$H" "$CP" -); expect "4. no home, LD_LIBRARY_PATH (the pack's way)" "$out" "loaded 10.6.0.26 from $H/libnvinfer.so.10"
exit $fail
