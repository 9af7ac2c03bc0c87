#!/usr/bin/env bash
# Builds MemristorGrid's images with podman from a Debian root file system (no outside registry), then runs a
# containerised cluster — Redis and two silos in one pod, a memgrid job as a third container — and checks its
# samples against the same command run on this host.
#
#   containers/podman-cluster.sh build        # base root file system (mmdebstrap), self-contained publish, three images
#   containers/podman-cluster.sh job OUT      # pod: redis + 2 silos; memgrid run in a container; host run; compare
#   containers/podman-cluster.sh all OUT      # both
#
# Needs: podman with runc (crun fails on this machine: MEMGRID_OCI_RUNTIME overrides), mmdebstrap, dotnet; root or
# a user with subuids. Writes only under OUT and the images/containers/pod it names (memristorgrid/*, mg-test-*).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runtime=${MEMGRID_OCI_RUNTIME:-runc}
# podman's default limits are above this machine's, and runc here refuses a container whose limits it cannot set:
# nofile above the caller's hard limit, nproc above 32768 (measured: 32768 starts, 32769 fails; so do limits equal to
# the caller's hard ones). Every container, the pod's infra container included, gets limits within both.
conf=$(mktemp)
nofile=$(( $(ulimit -Hn) / 2 )); nproc=32768
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' "$nofile" "$nofile" "$nproc" "$nproc" > "$conf"
export CONTAINERS_CONF=$conf
podman=(podman --runtime "$runtime")
pod=""
# The pod goes first (podman needs the configuration to remove it), its silos before its Redis: a silo leaves the
# cluster in seconds while Redis answers, but waits up to 25 s for it once it is gone (and podman's stop timeout was
# 10 s, so removing the whole pod at once took ~20 s of kills).
teardown() {
  [[ -z $pod ]] && return
  "${podman[@]}" stop --time 30 --ignore "$pod-silo0" "$pod-silo1" >/dev/null 2>&1 || true
  "${podman[@]}" pod rm --force --ignore "$pod" >/dev/null 2>&1 || true
}
trap 'teardown; rm -f "$conf"' EXIT
tag=${MEMGRID_IMAGE_TAG:-dev}
work=${MEMGRID_CONTAINER_WORK:-$root/out/containers}
mkdir -p "$work"

step() { printf '== %s\n' "$*" >&2; }

build() {
  # One Debian bookworm root file system for all three images: the .NET runtime's native needs (glibc, libstdc++,
  # OpenSSL, zlib, CA certificates), Redis, and Fashion-MNIST (30 MB: a silo scores a fashion model's runs only where the
  # data set its VAE was trained on is installed). Rebuilt only when this package list changes.
  local packages="ca-certificates,libssl3,zlib1g,libstdc++6,redis-server,dataset-fashion-mnist"
  local stamp="$work/debian-base.packages" tarball="$work/debian-base.tar"
  if [[ ! -f $tarball || "$(cat "$stamp" 2>/dev/null)" != "$packages" ]] || ! "${podman[@]}" image exists localhost/memristorgrid/debian:bookworm; then
    step "mmdebstrap: Debian bookworm minbase + $packages"
    mmdebstrap --quiet --variant=minbase --include="$packages" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      bookworm "$tarball"
    echo "$packages" > "$stamp"
    "${podman[@]}" import --quiet "$tarball" localhost/memristorgrid/debian:bookworm >/dev/null
  fi

  step "dotnet publish (self-contained, linux-x64): silo and memgrid"
  local context="$work/context"
  rm -rf "$context" && mkdir -p "$context/publish"
  dotnet publish silo/MemristorGrid.Silo.csproj -c Release -r linux-x64 --self-contained true -o "$context/publish/silo" -v quiet -nologo
  dotnet publish client/MemristorGrid.Client.csproj -c Release -r linux-x64 --self-contained true -o "$context/publish/memgrid" -v quiet -nologo
  cp -r models "$context/models"
  for target in redis silo memgrid; do
    step "podman build --target $target"
    "${podman[@]}" build --quiet -f containers/Containerfile --target "$target" -t "localhost/memristorgrid/$target:$tag" "$context" >/dev/null
  done
  "${podman[@]}" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep 'localhost/memristorgrid/' >&2
}

job() {
  local out=${1:?usage: job OUT}
  mkdir -p "$out" && out=$(cd "$out" && pwd)
  pod=mg-test-$$
  local args=(--profile rram-180nm --samples 4000 --lane-size 250 --seed 11)
  step "pod $pod: redis + 2 silos"
  "${podman[@]}" pod create --name "$pod" >/dev/null
  "${podman[@]}" run -d --pod "$pod" --name "$pod-redis" "localhost/memristorgrid/redis:$tag" >/dev/null
  for i in 0 1; do
    # Containers of a pod share one network namespace: each silo on its own ports, all on the pod's loopback.
    "${podman[@]}" run -d --pod "$pod" --name "$pod-silo$i" --read-only --tmpfs /tmp \
      -e MEMGRID_REDIS=127.0.0.1:6379 -e MEMGRID_SILO_PORT=$((11111 + i)) -e MEMGRID_GATEWAY_PORT=$((30000 + i)) \
      -e MEMGRID_HEALTH_PORT=$((8080 + i)) -e MEMGRID_WEB_TOKEN=container-test-token-0123 "localhost/memristorgrid/silo:$tag" >/dev/null
  done
  for i in 0 1; do
    local ready=""
    for _ in $(seq 120); do
      "${podman[@]}" exec "$pod-silo$i" /bin/bash -c "exec 3<>/dev/tcp/127.0.0.1/$((8080 + i)) && printf 'GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 && head -1 <&3" 2>/dev/null | grep -q ' 200 ' && { ready=yes; break; }
      sleep 1
    done
    [[ -n $ready ]] || { echo "error: silo $i of pod $pod never became ready:" >&2; "${podman[@]}" logs --tail 20 "$pod-silo$i" >&2; exit 1; }
  done
  step "memgrid run --model ring.onnx ${args[*]} --redis (container, output owned by uid 1654)"
  rm -rf "$out/container" && mkdir -p "$out/container" && chown 1654:1654 "$out/container"
  "${podman[@]}" run --rm --pod "$pod" --read-only --tmpfs /tmp -v "$out/container:/results:Z" \
    "localhost/memristorgrid/memgrid:$tag" run --model /app/models/ring.onnx "${args[@]}" --redis 127.0.0.1:6379 --out /results/ring
  # Both silos took part: the live job page (any silo's) counts the active silos and the silos the job ran on.
  local view
  view=$("${podman[@]}" exec "$pod-silo0" /bin/bash -c "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer container-test-token-0123\r\nConnection: close\r\n\r\n' >&3 && cat <&3")
  grep -q '"silos":2,"jobs"' <<<"$view" || { echo "error: the cluster does not have two active silos: $view" >&2; exit 1; }
  echo "cluster: 2 active silos; the job ran on $(grep -o '"finished":true,"error":null,"silos":[0-9]*' <<<"$view" | head -1 | grep -o '[0-9]*$') of them"
  step "the same command on this host (embedded silo)"
  rm -rf "$out/host"
  # The CLI this checkout built (MEMGRID_HOST_CLI names another, e.g. a test's copy).
  local cli=${MEMGRID_HOST_CLI:-}
  if [[ -z $cli ]]; then
    for c in client/bin/Release/net10.0/memgrid.dll client/bin/Debug/net10.0/memgrid.dll; do [[ -f $c ]] && { cli=$c; break; }; done
  fi
  [[ -n $cli && -f $cli ]] || { echo "error: no memgrid.dll for the host run: dotnet build client (or set MEMGRID_HOST_CLI)" >&2; exit 1; }
  dotnet "$cli" run --model models/ring.onnx "${args[@]}" --out "$out/host/ring" >/dev/null
  local a b
  a=$(sha256sum "$out/container/ring/samples.csv" | cut -d' ' -f1)
  b=$(sha256sum "$out/host/ring/samples.csv" | cut -d' ' -f1)
  echo "samples.csv sha256: container $a, host $b"
  [[ $a == "$b" ]] || { echo "error: the containerised cluster's samples differ from the host run's" >&2; exit 1; }
  echo "identical"
}

case ${1:-all} in
  build) build ;;
  job) job "${2:-}" ;;
  all) build; job "${2:-$work/job}" ;;
  *) echo "usage: $0 build | job OUT | all [OUT]" >&2; exit 2 ;;
esac
