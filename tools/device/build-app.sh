#!/usr/bin/env bash
# Assembles .device-app/ for the GPU machine (see ../shared/device/README.md): the product jar without
# its LGPL FFmpeg natives (the GPL build the tests encode with replaces them), test classes, the JUnit
# console launcher and the scripts. Then: ../shared/device/pack --app .device-app --trt
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o install -DskipTests
mvn -B -q -o test-compile -pl gpu,it
APP=.device-app
rm -rf "$APP" && mkdir -p "$APP/lib" "$APP/test-classes"
M2=~/.m2/repository
cp job/target/vxflow.jar "$APP/lib/vxflow.jar"
zip -q -d "$APP/lib/vxflow.jar" 'org/bytedeco/ffmpeg/linux-x86_64/*' > /dev/null
cp "$M2/org/bytedeco/ffmpeg/7.1-1.5.11/ffmpeg-7.1-1.5.11-linux-x86_64-gpl.jar" "$APP/lib/ffmpeg-gpl.jar"
cp "$M2/org/junit/platform/junit-platform-console-standalone/1.11.4/junit-platform-console-standalone-1.11.4.jar" "$APP/lib/junit-console.jar"
cp "$M2/org/assertj/assertj-core/3.27.3/assertj-core-3.27.3.jar" "$APP/lib/assertj-core.jar"
cp "$(ls $M2/net/bytebuddy/byte-buddy/*/byte-buddy-*.jar | grep -v sources | tail -1)" "$APP/lib/byte-buddy.jar"
cp -r gpu/target/test-classes "$APP/test-classes/gpu"
cp -r it/target/test-classes "$APP/test-classes/it"
cp tools/export_models.py tools/plot_bench.py tools/device/run-gpu-suite.sh tools/device/gpu_test_summary.py "$APP/"
# the commit the GPU test summary names (with -dirty when the working tree differs from it)
echo "$(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo -dirty)" > "$APP/COMMIT"
cp -r docs/bench "$APP/bench-results"
du -sh "$APP"
