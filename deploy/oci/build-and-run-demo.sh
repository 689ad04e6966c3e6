#!/usr/bin/env bash
# Builds an OCI image of vxflow from Debian's packages alone - no container registry, no Docker - and runs
# the CPU demo (`java -jar vxflow.jar demo --backend cpu`) in it:
#   1. a Debian 12 root file system with OpenJDK 17 (debootstrap, from a Debian mirror),
#   2. an OCI image layout with two layers, Debian + Java, then vxflow.jar (umoci),
#   3. the image unpacked into an OCI runtime bundle and run (runc).
# Run as root from anywhere, after `mvn -B package -DskipTests`:
#   deploy/oci/build-and-run-demo.sh [demo flags...]      (default: --streams 2 --seconds 5)
# Needs: apt-get install debootstrap umoci runc. Everything goes to $WORK (default /tmp/vxflow-oci); the
# root file system is reused on a second run. The image is at $WORK/image (tag vxflow); `skopeo copy
# oci:$WORK/image:vxflow docker-daemon:vxflow:oci` or `podman load` take it from there.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$REPO/job/target/vxflow.jar
WORK=${WORK:-/tmp/vxflow-oci}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=${SUITE:-bookworm}
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(--streams 2 --seconds 5)

fail() { echo "build-and-run-demo: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || fail "run as root (debootstrap and runc need it)"
for tool in debootstrap umoci runc python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install debootstrap umoci runc"
done
[ -f "$JAR" ] || fail "$JAR is missing: run 'mvn -B package -DskipTests' first"
mkdir -p "$WORK"

# 1. Debian + Java 17: the base layer
if [ ! -x "$WORK/rootfs/usr/bin/java" ]; then
    rm -rf "$WORK/rootfs"
    echo "== debootstrap $SUITE with openjdk-17-jre-headless from $MIRROR"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless "$SUITE" "$WORK/rootfs" "$MIRROR"
    chroot "$WORK/rootfs" apt-get clean
    rm -rf "$WORK/rootfs/var/lib/apt/lists"/*
fi

# 2. the OCI image: base layer, then the job's layer, then its configuration
echo "== OCI image at $WORK/image"
rm -rf "$WORK/image" "$WORK/base" "$WORK/bundle"
umoci init --layout "$WORK/image"
umoci new --image "$WORK/image:vxflow"
umoci unpack --image "$WORK/image:vxflow" "$WORK/base"
cp -a "$WORK/rootfs/." "$WORK/base/rootfs/"
umoci repack --image "$WORK/image:vxflow" "$WORK/base"
rm -rf "$WORK/base"
umoci insert --image "$WORK/image:vxflow" "$JAR" /opt/vxflow/vxflow.jar
umoci config --image "$WORK/image:vxflow" --author vxflow \
    --config.workingdir /root --config.env HOME=/root \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.entrypoint java --config.entrypoint -jar --config.entrypoint /opt/vxflow/vxflow.jar \
    --config.cmd demo
umoci stat --image "$WORK/image:vxflow"

# 3. run it: an OCI runtime bundle from the image, its command replaced by the demo's flags
echo "== runc: vxflow demo --backend cpu ${ARGS[*]}"
umoci unpack --image "$WORK/image:vxflow" "$WORK/bundle"
python3 - "$WORK/bundle/config.json" demo --backend cpu "${ARGS[@]}" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
spec = json.load(open(path))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["java", "-jar", "/opt/vxflow/vxflow.jar"] + args
spec["hostname"] = "vxflow"
json.dump(spec, open(path, "w"), indent=2)
PY
# what a container engine would provide: the container's own name resolves (Flink looks its host up);
# the network is the container's own, with loopback only (Kafka, Flink and the demo all talk over it)
printf '127.0.0.1 localhost vxflow\n::1 localhost ip6-localhost\n' > "$WORK/bundle/rootfs/etc/hosts"
runc delete --force vxflow-demo >/dev/null 2>&1 || true
runc run --bundle "$WORK/bundle" vxflow-demo
