#!/usr/bin/env bash
# Assembles .device-app/ for the GPU machine (see ../shared/device/README.md): the product jar without
# its LGPL FFmpeg natives (the GPL build the tests encode with replaces them, and the transfer stays
# smaller), test classes, the JUnit console launcher and the scripts. Then:
#   ../shared/device/pack --app .device-app --trt
# Everything it copies comes from this one Maven build, which fetches what it lacks from Maven Central
# (extra arguments go to Maven, e.g. -o on a machine that has them already).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v zip > /dev/null || { echo "build-app.sh: needs zip (apt-get install zip)" >&2; exit 1; }
# the product jar, the gpu and it test classes, and (profile device-app) it/target/device-lib/*.jar
mvn -B -q package -DskipTests -Pdevice-app -pl it -am "$@"
APP=.device-app
rm -rf "$APP" && mkdir -p "$APP/lib" "$APP/test-classes"
cp job/target/vxflow.jar "$APP/lib/vxflow.jar"
zip -q -d "$APP/lib/vxflow.jar" 'org/bytedeco/ffmpeg/linux-x86_64/*' > /dev/null
# junit-console.jar, assertj-core.jar, byte-buddy.jar, archunit.jar, ffmpeg-gpl.jar: the names run-gpu-suite.sh uses
cp it/target/device-lib/*.jar "$APP/lib/"
cp -r gpu/target/test-classes "$APP/test-classes/gpu"
cp -r it/target/test-classes "$APP/test-classes/it"
# CUPTI for SlotRuntimeCuptiGpuTest: the GPU machine's own CUDA and PyTorch are CUDA 13 (libcupti.so.13), and the
# presets' jnicupti links libcupti.so.12: ship the one from the CUDA 12.6 redist jar (8 MB of its 2 GB)
REDIST=org/bytedeco/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64-redist.jar
M2=$(mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout "$@" 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g" | tail -1)
if [ ! -s "$M2/$REDIST" ]; then
  mvn -B -q dependency:get -Dartifact=org.bytedeco:cuda:12.6-9.5-1.5.11:jar:linux-x86_64-redist -Dtransitive=false "$@"
fi
mkdir -p "$APP/native"
unzip -q -j -o "$M2/$REDIST" org/bytedeco/cuda/linux-x86_64/libcupti.so.12 -d "$APP/native"
cp tools/export_models.py tools/plot_bench.py tools/device/run-gpu-suite.sh tools/device/run-e2e.sh tools/device/run-churn.sh tools/device/final-burst.sh tools/device/gpu_test_summary.py "$APP/"
# the commit the GPU test summary names (with -dirty when the working tree differs from it)
echo "$(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo -dirty)" > "$APP/COMMIT"
cp -r docs/bench "$APP/bench-results"
du -sh "$APP"
