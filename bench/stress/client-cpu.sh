#!/usr/bin/env bash
# The client of a large job against the silo that runs it: one silo process (pinned to core 1 with taskset) joined through a
# throw-away redis-server, and `memgrid run` as a separate process, N times (default 3). Prints per run the client's CPU
# (user + sys, /usr/bin/time), its peak RSS, the silo's CPU over the job (/proc/PID/stat), the job's wall time as the client
# saw it and the client's wait after the job (its wall time minus the job's): what scoring, decoding and writing cost the user.
# Usage: bench/stress/client-cpu.sh [N] [SAMPLES-PER-CLASS] [MODEL]   (from the repository root, after a Release build;
#        defaults: 3 runs of models/fashion.onnx, 4 000 per class = 40 000 samples, `ideal`). MEMGRID=path overrides the CLI;
#        SILO_CORES=0,1 gives the silo both cores (default: core 1); RUNS_PER_SILO=2 runs the command twice on each silo
#        (the second finds the model's reference and image judge loaded: a long-lived cluster's case); KEEP=1 keeps the outputs.
set -u
N=${1:-3}; PER_CLASS=${2:-4000}; MODEL=${3:-models/fashion.onnx}; SILO_CORES=${SILO_CORES:-1}; RUNS_PER_SILO=${RUNS_PER_SILO:-1}
MEMGRID=${MEMGRID:-client/bin/Release/net10.0/memgrid}
WORK=$(mktemp -d /tmp/memgrid-client-cpu.XXXXXX)
trap 'pkill -P $$ 2>/dev/null; [ -n "${KEEP:-}" ] && echo "logs kept in $WORK" || rm -rf "$WORK"' EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; } # utime + stime, in clock ticks of 1/100 s
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$N"); do
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis$i.log" 2>&1 & redis=$!
  sleep 0.5
  taskset -c "$SILO_CORES" "$MEMGRID" silo --redis "127.0.0.1:$port" --port "$(free_port)" --gateway-port "$(free_port)" --health-port 0 > "$WORK/silo$i.log" 2>&1 & silo=$!
  sleep 8 # joined (the silo prints nothing to wait on with --health-port 0)
  for r in $(seq 1 "$RUNS_PER_SILO"); do
    [ "$r" -gt 1 ] && tag="$i.$r" || tag=$i
    before=$(cpu_seconds "$silo")
    /usr/bin/time -f "%U %S %e %M" -o "$WORK/time$tag" "$MEMGRID" run --redis "127.0.0.1:$port" --model "$MODEL" --profile ideal \
      --samples "$PER_CLASS" --out "$WORK/out$tag" > "$WORK/run$tag.log" 2>&1
    code=$?
    after=$(cpu_seconds "$silo")
    read -r user sys wall rss < "$WORK/time$tag"
    job=$(grep -o 'in [0-9.]* s wall' "$WORK/run$tag.log" | grep -o '[0-9.]*')
    echo "run $tag (exit $code): client $(echo "$user + $sys" | bc) s CPU, $((rss / 1024)) MiB peak; silo $(echo "$after - $before" | bc) s CPU;" \
         "job ${job} s wall, client ${wall} s wall, wait after the job $(echo "$wall - $job" | bc) s"
    grep '^note:' "$WORK/run$tag.log"
    [ "$tag" != 1 ] && { cmp -s "$WORK/out1/samples.csv" "$WORK/out$tag/samples.csv" && echo "  samples.csv the same as run 1's" || echo "  samples.csv DIFFERS from run 1's"; }
  done
  kill "$silo" "$redis"; wait "$silo" "$redis" 2>/dev/null
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
