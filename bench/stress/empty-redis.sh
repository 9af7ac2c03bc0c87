#!/usr/bin/env bash
# Redis restarted empty under a running job, N times (default 10): each time a fresh redis-server and two silo
# processes, a `memgrid run` of ~15 s, then Redis killed and started again without its data a few seconds in.
# The promise (README, docs/deployment.md): the client exits 69 with one `error:` line, every time.
# Usage: bench/stress/empty-redis.sh [N]   (from the repository root, after a Release build)
set -u
N=${1:-10}
WORK=$(mktemp -d /tmp/memgrid-empty-redis.XXXXXX)
trap 'pkill -P $$ 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/cluster.sh"
pass=0
for i in $(seq 1 "$N"); do
  start_cluster "$i"
  $MEMGRID run --model models/ring.onnx --profile rram-180nm --samples 40000 --lane-size 100 --redis "127.0.0.1:$port" --out "$WORK/out$i" \
    > "$WORK/client$i.out" 2> "$WORK/client$i.err" &
  client=$!
  for _ in $(seq 1 100); do # until lanes checkpoint
    [ "$(redis-cli -p "$port" --scan --pattern 'memgrid/state/integratorchannel/*' | head -3 | wc -l)" -ge 3 ] && break
    sleep 0.2
  done
  kill -9 "$redis"; wait "$redis" 2>/dev/null
  start_redis "$i" # empty: nothing was saved
  start=$(date +%s)
  wait "$client"; code=$?
  took=$(( $(date +%s) - start ))
  lines=$(grep -c . "$WORK/client$i.err")
  first=$(head -1 "$WORK/client$i.err")
  leftover=$([ -e "$WORK/out$i" ] && echo "out left behind" || echo "nothing written")
  if [ "$code" = 69 ] && [ "$lines" = 1 ] && [[ "$first" == error:* ]] && [ ! -e "$WORK/out$i" ]; then pass=$((pass + 1)); verdict=ok; else verdict=FAIL; fi
  echo "run $i: exit $code after ${took}s, $lines stderr line(s), $leftover: $verdict — $first"
  [ "$verdict" = FAIL ] && sed 's/^/    /' "$WORK/client$i.err" | head -20
  kill "${silos[@]}" "$redis" 2>/dev/null; wait 2>/dev/null
done
echo "$pass of $N: exit 69 with one error line"
[ "$pass" = "$N" ]
