#!/usr/bin/env bash
# The main job of the README on a throwaway registry: installs what is
# missing, builds regscan, starts a CNCF distribution registry on loopback,
# pushes sample images built from this machine's own files, and runs
# `regscan registry` against it. Reports land in ./regscan-demo-output.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
build="${REGSCAN_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target regscan regscan_plugin_v2 >/dev/null
regscan="$build/bin/regscan"

work="$(mktemp -d)"
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
deadline = time.time() + 20
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v2/", timeout=1)
        break
    except Exception:
        if time.time() > deadline:
            sys.exit("the demo registry did not start")
        time.sleep(0.1)
PY

# Sample images from this machine's real package database (scripts/demo_images.py).
layout="$work/layout"
python3 "$root/scripts/demo_images.py" "$layout"

push() { skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$layout:$1" "docker://127.0.0.1:$port/$2"; }
push base demo/debian-base:12
push app demo/app:1.0
push app demo/app:1.1
push base tools/builder:latest

out="$PWD/regscan-demo-output"
mkdir -p "$out"
echo "== regscan db import (the bundled real OSV records in data/demo-osv)"
"$regscan" db import --db "$work/osv.db" "$root/data/demo-osv"

echo "== regscan registry http://127.0.0.1:$port --denyList='tools/*'"
set +e
"$regscan" registry "http://127.0.0.1:$port" --denyList='tools/*' --db "$work/osv.db" \
  --state "$out/state.db" --format=table,json,sarif,cyclonedx,csv --output-dir "$out"
status=$?
set -e
echo "== reports in $out:"
ls -1 "$out"
# 6 would mean an image failed; findings alone do not fail the demo.
exit $status
