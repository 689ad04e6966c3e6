#!/usr/bin/env bash
# Prints the path of a headless Chromium from Debian's packages, for LiveViewITCase:
#   1. $VXFLOW_CHROMIUM when set;
#   2. an installed chromium-headless-shell or chromium (apt-get install chromium-headless-shell);
#   3. else Debian's chromium-headless-shell and those of its libraries this machine lacks, fetched with
#      apt-get download and unpacked with dpkg -x into $VXFLOW_CACHE_DIR/chromium/<version> (default
#      ~/.cache/vxflow): no root needed, nothing installed. As root, with no package lists yet (a fresh
#      machine), it runs apt-get update first.
# Everything but the path goes to stderr; any failure exits non-zero with a line saying what to do.
set -euo pipefail
if [[ -n "${VXFLOW_CHROMIUM:-}" ]]; then
  echo "$VXFLOW_CHROMIUM"
  exit 0
fi
for c in chromium-headless-shell chromium; do
  if p=$(command -v "$c"); then
    echo "$p"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  echo "no Chromium here and no apt-get/dpkg to fetch Debian's: install chromium-headless-shell, or set VXFLOW_CHROMIUM" >&2
  exit 1
fi
candidate() { apt-cache policy chromium-headless-shell 2>/dev/null | awk '/Candidate:/ {print $2}'; }
version=$(candidate)
if [[ -z $version || $version == "(none)" ]] && [[ $(id -u) == 0 ]]; then
  apt-get update -qq >&2
  version=$(candidate)
fi
if [[ -z $version || $version == "(none)" ]]; then
  echo "chromium-headless-shell is not in this machine's package lists: run 'apt-get update' as root, or set VXFLOW_CHROMIUM" >&2
  exit 1
fi
cache="${VXFLOW_CACHE_DIR:-$HOME/.cache/vxflow}/chromium"
dir="$cache/$version"
if [[ ! -x $dir/chromium ]]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp" # apt-get download drops to user _apt when run as root
  fetch() {
    pkgs=$(apt-get install -s --no-install-recommends chromium-headless-shell | awk '/^Inst / {print $2}')
    echo "fetching Debian's chromium-headless-shell and $(($(wc -w <<<"$pkgs") - 1)) package(s) it needs into $dir" >&2
    (cd "$tmp" && apt-get download -qq $pkgs) >&2
  }
  if ! fetch; then
    # package lists older than the mirror name files it no longer has
    if [[ $(id -u) != 0 ]]; then
      echo "apt-get download failed: the package lists may be out of date; run 'apt-get update' as root, or set VXFLOW_CHROMIUM" >&2
      exit 1
    fi
    apt-get update -qq >&2
    version=$(candidate)
    dir="$cache/$version"
    rm -f "$tmp"/*.deb
    fetch
  fi
  mkdir "$tmp/root"
  for deb in "$tmp"/*.deb; do
    dpkg -x "$deb" "$tmp/root"
  done
  cat >"$tmp/root/chromium" <<'WRAPPER'
#!/bin/sh
# Debian's chromium-headless-shell, unpacked here with the libraries it needs that the machine lacks
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/usr/lib/x86_64-linux-gnu:$here/usr/lib/x86_64-linux-gnu/pulseaudio${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  exec "$here/usr/lib/chromium/chromium-headless-shell" "$@"
WRAPPER
  chmod 755 "$tmp/root/chromium"
  rm -rf "$dir"
  mv "$tmp/root" "$dir"
fi
echo "$dir/chromium"
