#!/usr/bin/env bash
# A standalone Spark master and N workers on 127.0.0.1, for trying cluster runs on one machine.
#   deploy/standalone/local-cluster.sh start [WORKERS] [CORES_PER_WORKER] [MEMORY_PER_WORKER]
#   deploy/standalone/local-cluster.sh stop
# Uses $SPARK_HOME/jars when SPARK_HOME is set, else the Spark jars Maven resolved for the build
# (jobs/target/classpath.txt), so no Spark download is needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${ATELIER_CLUSTER_DIR:-$ROOT/.cache/local-cluster}"
MASTER_PORT="${ATELIER_MASTER_PORT:-7077}"
mkdir -p "$STATE"

spark_classpath() {
  if [[ -n "${SPARK_HOME:-}" ]]; then echo "$SPARK_HOME/jars/*"; return; fi
  [[ -f "$ROOT/jobs/target/classpath.txt" ]] || (cd "$ROOT" && mvn -B -q -DskipTests package)
  cat "$ROOT/jobs/target/classpath.txt"
}

start() {
  local workers="${1:-2}" cores="${2:-1}" memory="${3:-2g}"
  local cp flags
  cp="$(spark_classpath)"
  mapfile -t flags < <(grep -v '^\s*\(#\|$\)' "$ROOT/conf/jvm.options")
  java "${flags[@]}" -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
    --port "$MASTER_PORT" --webui-port 0 >"$STATE/master.log" 2>&1 &
  echo $! >"$STATE/master.pid"
  for ((w = 1; w <= workers; w++)); do
    SPARK_WORKER_DIR="$STATE/worker-$w" java "${flags[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port 0 \
      "spark://127.0.0.1:$MASTER_PORT" >"$STATE/worker-$w.log" 2>&1 &
    echo $! >"$STATE/worker-$w.pid"
  done
  echo "master spark://127.0.0.1:$MASTER_PORT with $workers worker(s) x $cores core(s); logs in $STATE"
}

stop() {
  for pid in "$STATE"/*.pid; do
    [[ -f "$pid" ]] && kill "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [WORKERS] [CORES] [MEMORY] | stop" >&2; exit 2 ;;
esac
