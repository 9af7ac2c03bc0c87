# Sourced by the stress scripts: a throw-away redis-server and two memgrid silo processes clustered through it.
# start_cluster N sets port, redis (its pid) and silos (their pids), logging under $WORK with suffix N.
MEMGRID="dotnet client/bin/Release/net10.0/memgrid.dll"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_redis() { redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >> "$WORK/redis$1.log" 2>&1 & redis=$!; }
start_cluster() {
  port=$(free_port)
  start_redis "$1"
  sleep 0.5
  silos=()
  for s in 1 2; do
    $MEMGRID silo --redis "127.0.0.1:$port" --port "$(free_port)" --gateway-port "$(free_port)" --health-port 0 > "$WORK/silo$1-$s.log" 2>&1 &
    silos+=($!)
  done
  sleep 8 # both silos joined (they print nothing to wait on with --health-port 0)
}
