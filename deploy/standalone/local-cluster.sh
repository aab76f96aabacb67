#!/usr/bin/env bash
# A standalone Spark master and N workers on 127.0.0.1, for cluster runs on one machine.
#   deploy/standalone/local-cluster.sh start [WORKERS] [CORES_PER_WORKER] [MEMORY_PER_WORKER]
#   deploy/standalone/local-cluster.sh submit [spark-submit options] -- <atelier command> [options]
#   deploy/standalone/local-cluster.sh stop
# With SPARK_HOME set, its jars are used; otherwise a SPARK_HOME is assembled from the Spark
# jars Maven resolved for the build (jobs/target/classpath.txt, Atelier's own jar left out):
# no Spark download needed.
# ATELIER_CLUSTER_DIR (state and logs) and ATELIER_MASTER_PORT override the defaults;
# ATELIER_WORKER_OPTS adds JVM options to the workers (e.g. -Dspark.worker.resource.gpu.amount=1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${ATELIER_CLUSTER_DIR:-$ROOT/.cache/local-cluster}"
MASTER_PORT="${ATELIER_MASTER_PORT:-7077}"
MASTER="spark://127.0.0.1:$MASTER_PORT"
JAR="${ATELIER_JAR:-$ROOT/jobs/target/atelier-jobs.jar}"
mkdir -p "$STATE"
mapfile -t FLAGS < <(grep -v '^\s*\(#\|$\)' "$ROOT/conf/jvm.options")
read -r -a WORKER_OPTS <<<"${ATELIER_WORKER_OPTS:-}"

spark_home() {
  if [[ -n "${SPARK_HOME:-}" ]]; then echo "$SPARK_HOME"; return; fi
  local home="$STATE/spark-home"
  if [[ ! -d "$home/jars" ]]; then
    [[ -f "$ROOT/jobs/target/classpath.txt" ]] || (cd "$ROOT" && mvn -B -q -DskipTests package) >&2
    mkdir -p "$home/jars"
    tr ':' '\n' <"$ROOT/jobs/target/classpath.txt" | grep -v '/atelier-common' | while read -r jar; do
      [[ -n "$jar" ]] && ln -sf "$jar" "$home/jars/$(basename "$jar")"
    done
  fi
  echo "$home"
}

start() {
  local workers="${1:-2}" cores="${2:-1}" memory="${3:-2g}" home
  home="$(spark_home)"
  # Spark finds its jars by Scala version; an assembled home has no build tree to infer it from.
  export SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.12
  java "${FLAGS[@]}" -cp "$home/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
    --port "$MASTER_PORT" --webui-port 0 >"$STATE/master.log" 2>&1 &
  echo $! >"$STATE/master.pid"
  for ((w = 1; w <= workers; w++)); do
    mkdir -p "$STATE/worker-$w"
    java "${FLAGS[@]}" "${WORKER_OPTS[@]}" -cp "$home/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
      --cores "$cores" --memory "$memory" --webui-port 0 --work-dir "$STATE/worker-$w" \
      "$MASTER" >"$STATE/worker-$w.log" 2>&1 &
    echo $! >"$STATE/worker-$w.pid"
  done
  # Ready when the master has registered every worker.
  for _ in $(seq 1 120); do
    if ! kill -0 "$(cat "$STATE/master.pid")" 2>/dev/null; then
      echo "local-cluster: the master exited; see $STATE/master.log" >&2
      stop
      return 1
    fi
    if [[ "$(grep -c 'Registering worker' "$STATE/master.log" 2>/dev/null || true)" -ge "$workers" ]]; then
      echo "$MASTER: $workers worker(s) x $cores core(s), $memory each; logs in $STATE"
      return 0
    fi
    sleep 0.5
  done
  echo "local-cluster: workers did not register within 60 s; see $STATE/*.log" >&2
  stop
  return 1
}

submit() {
  local home args=()
  home="$(spark_home)"
  while [[ $# -gt 0 && "$1" != "--" ]]; do args+=("$1"); shift; done
  [[ "${1:-}" == "--" ]] && shift
  [[ -f "$JAR" ]] || { echo "local-cluster: $JAR missing; build it with: mvn -B -DskipTests package" >&2; exit 2; }
  # Atelier's defaults over those of a given SPARK_HOME (or SPARK_CONF_DIR), as atelier-submit does;
  # $merged is global so that the EXIT trap still sees it
  merged="$(mktemp "${TMPDIR:-/tmp}/atelier-spark-defaults.XXXXXX")"
  trap 'rm -f "$merged"' EXIT
  SPARK_HOME="$home" "$ROOT/deploy/merge-spark-defaults" "$ROOT/conf/spark-defaults.conf" >"$merged"
  SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 java "${FLAGS[@]}" -cp "$home/jars/*" \
    org.apache.spark.deploy.SparkSubmit --master "$MASTER" --class io.atelier.jobs.AtelierCli \
    --properties-file "$merged" "${args[@]}" "$JAR" "$@"
}

stop() {
  for pid in "$STATE"/*.pid; do
    [[ -f "$pid" ]] || continue
    kill "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  submit) shift; submit "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [WORKERS] [CORES] [MEMORY] | submit [spark-submit options] -- <command> ... | stop" >&2; exit 2 ;;
esac
