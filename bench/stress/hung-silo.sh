#!/usr/bin/env bash
# One silo of two stopped (SIGSTOP) for 40 s under a running job, N times (default 3): how long the job takes against
# the same job with no fault (after a short job has defined the deployment on both silos, so that neither timing pays for
# it), whether the samples equal the fault-free run's, and how the stopped silo fares on SIGCONT.
# Usage: bench/stress/hung-silo.sh [N] [SAMPLES]   (from the repository root, after a Release build)
set -u
N=${1:-3}; SAMPLES=${2:-20000}
WORK=$(mktemp -d /tmp/memgrid-hung-silo.XXXXXX)
trap 'pkill -P $$ 2>/dev/null; [ -n "${KEEP:-}" ] && echo "logs kept in $WORK" || rm -rf "$WORK"' EXIT
. "$(dirname "$0")/cluster.sh"
run_job() { # $1 = output dir, $2 = samples; prints exit code and wall seconds
  local start=$(date +%s.%N)
  $MEMGRID run --model models/ring.onnx --profile rram-180nm --samples "${2:-$SAMPLES}" --lane-size 100 --redis "127.0.0.1:$port" --out "$1" > "$1.out" 2> "$1.err"
  echo "$? $(echo "$(date +%s.%N) - $start" | bc)"
}
for i in $(seq 1 "$N"); do
  start_cluster "$i"
  run_job "$WORK/warm$i" 400 > /dev/null
  read -r code normal < <(run_job "$WORK/normal$i")
  ( sleep 3; kill -STOP "${silos[1]}"; sleep 40; kill -CONT "${silos[1]}" ) &
  stopper=$!
  read -r code2 faulty < <(run_job "$WORK/faulty$i")
  wait "$stopper"
  resumed=$(date +%s.%N)
  for _ in $(seq 1 60); do kill -0 "${silos[1]}" 2>/dev/null || break; sleep 0.5; done # the resumed silo hears it was declared dead, and leaves
  same=$(cmp -s "$WORK/normal$i/samples.csv" "$WORK/faulty$i/samples.csv" && echo "same samples" || echo "DIFFERENT samples")
  if kill -0 "${silos[1]}" 2>/dev/null; then alive="stopped silo still running 30 s after SIGCONT"
  else wait "${silos[1]}" 2>/dev/null; code3=$?; alive="stopped silo left $(echo "scale=1; ($(date +%s.%N) - $resumed) / 1" | bc) s after SIGCONT (exit $code3)"; fi
  traces=$(grep -c "^\s*at " "$WORK/silo$i-2.log")
  echo "run $i: normal ${normal}s (exit $code); with a silo stopped 40 s: ${faulty}s (exit $code2), ratio $(echo "scale=2; $faulty / $normal" | bc); $same; $alive; $traces stack-trace lines in its log"
  [ "$code2" != 0 ] && sed 's/^/    /' "$WORK/faulty$i.err" | head -5
  grep -E "^(error|warning):|FATAL" "$WORK/silo$i-2.log" | head -3 | cut -c1-240 | sed 's/^/    silo 2: /'
  kill "${silos[@]}" "$redis" 2>/dev/null; wait 2>/dev/null
done
