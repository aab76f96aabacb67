#!/usr/bin/env bash
# The CUDA build on a real GPU, in three steps, one PASS/FAIL line each:
#   1. the gradient checks (GradientCheckTest) with the cuda profile, so ND4J runs on CUDA
#   2. `bench gan-step` and `bench diffusion-step` from jobs/target/atelier-jobs-cuda.jar
#   3. a 2-round `train-gan` on a one-worker standalone cluster whose executor is given the GPU
#      through Spark's resource scheduling (deploy/gpu/discover-gpus.sh finds it)
# Needs an NVIDIA GPU with its driver (nvidia-smi), Java 17, Maven, the built jar
# (deploy/gpu/build-cuda-jar.sh) and deploy/gpu/discover-gpus.sh. Exits 0 when every step
# passes, 1 when one fails, 2 when this machine cannot run the check at all.
#   deploy/gpu/check.sh
# SPARK_HOME: a Spark installation to use (default: one assembled from the Spark jars the cuda
# build resolved). ATELIER_GPU_CHECK_DIR: scratch and logs (default .cache/gpu-check, emptied
# first). ATELIER_GPU_CHECK_CORES: the executor's cores (default 4). ATELIER_GPU_DISCOVERY_SCRIPT:
# another discovery script (default deploy/gpu/discover-gpus.sh).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 2
JAR="${ATELIER_JAR:-$ROOT/jobs/target/atelier-jobs-cuda.jar}"
DISCOVER="${ATELIER_GPU_DISCOVERY_SCRIPT:-$ROOT/deploy/gpu/discover-gpus.sh}"
WORK="${ATELIER_GPU_CHECK_DIR:-$ROOT/.cache/gpu-check}"
CORES="${ATELIER_GPU_CHECK_CORES:-4}"

unusable() {
  echo "check.sh: $*" >&2
  exit 2
}

# Before anything else: without a GPU every step would fail in ways that say nothing.
command -v nvidia-smi >/dev/null 2>&1 \
  || unusable "nvidia-smi not found: this check needs an NVIDIA GPU and its driver; run it on a GPU machine (or in deploy/gpu/Dockerfile's image started with --gpus all)"
gpus="$(nvidia-smi -L 2>&1)" || unusable "nvidia-smi failed: $gpus"
[[ "$gpus" == *GPU* ]] || unusable "nvidia-smi lists no GPU: $gpus"
java_version="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
[[ "${java_version:-0}" -ge 17 ]] 2>/dev/null || unusable "Java 17 or later needed on the PATH (found: ${java_version:-none})"
command -v mvn >/dev/null 2>&1 || unusable "mvn not found: step 1 runs the gradient checks through Maven"
[[ -f "$JAR" ]] || unusable "$JAR missing; build it with deploy/gpu/build-cuda-jar.sh"
[[ -x "$DISCOVER" ]] || unusable "$DISCOVER missing or not executable: Spark's workers need it to find the GPU"

rm -rf "$WORK"
mkdir -p "$WORK/tmp" "$WORK/spark-local"
echo "check.sh: $(echo "$gpus" | head -n 1); Java $java_version; logs in $WORK"

if [[ -z "${SPARK_HOME:-}" ]]; then
  cp_file="$ROOT/jobs/target/classpath-cuda.txt"
  [[ -f "$cp_file" ]] || unusable "$cp_file missing; run deploy/gpu/build-cuda-jar.sh or set SPARK_HOME"
  SPARK_HOME="$WORK/spark-home"
  mkdir -p "$SPARK_HOME/jars"
  tr ':' '\n' <"$cp_file" | grep -v '/atelier-common' | while read -r jar; do
    [[ -n "$jar" ]] && ln -sf "$jar" "$SPARK_HOME/jars/$(basename "$jar")"
  done
fi
# An assembled Spark home has no build tree to infer the Scala version from.
export SPARK_HOME SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 OMP_WAIT_POLICY=PASSIVE

# The project's console logging plus ND4J's INFO lines, which name the backend that loaded.
{ cat "$ROOT/conf/log4j2.properties"; printf '%s\n' 'logger.nd4j.name = org.nd4j' 'logger.nd4j.level = info'; } \
  >"$WORK/log4j2.properties"
# The executor's log also keeps Spark's resource assignment.
{ cat "$WORK/log4j2.properties"; printf '%s\n' 'logger.sparkresource.name = org.apache.spark.resource' \
  'logger.sparkresource.level = info'; } >"$WORK/log4j2-executor.properties"

BACKEND_LINE='Loaded \[JCublasBackend\] backend'
failures=0
pass() { echo "PASS $1"; }
# FAIL STEP WHY LOG [MORE LOGS]: the backend that loaded or why CUDA's did not (a missing CUDA
# library, say), then the first test summary and the end of the main log.
fail() {
  local step="$1" why="$2"
  shift 2
  echo "FAIL $step: $why (log: $1)"
  grep -h -m1 -E 'Loaded \[[A-Za-z]+\] backend|Skipped \[JCublasBackend\]' "$@" 2>/dev/null | head -n 1 \
    | cut -c1-400 | sed 's/^/    /'
  grep -h -m1 'Tests run: .*Errors' "$1" 2>/dev/null | sed 's/^/    /'
  tail -n 8 "$1" | cut -c1-400 | sed 's/^/    /'
  failures=$((failures + 1))
}

mapfile -t FLAGS < <(grep -v '^\s*\(#\|$\)' "$ROOT/conf/jvm.options")
cli() {
  java -Xmx8g "${FLAGS[@]}" -Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp" -Djava.io.tmpdir="$WORK/tmp" \
    -Dspark.local.dir="$WORK/spark-local" -Dlog4j2.configurationFile="$WORK/log4j2.properties" \
    -cp "$JAR:$SPARK_HOME/jars/*" io.atelier.jobs.AtelierCli "$@"
}

# 1. Gradient checks. The cuda profile swaps nd4j-native for nd4j-cuda on the test class path,
# so the tests can only pass on the CUDA backend; the log must also show it loading.
log="$WORK/1-gradient-checks.log"
mvn -B -Pcuda -pl common test -Dtest=GradientCheckTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dlog4j2.configurationFile="$WORK/log4j2.properties" >"$log" 2>&1
rc=$?
if [[ $rc -ne 0 ]]; then
  fail "gradient checks" "mvn exited $rc" "$log"
elif ! grep -q 'Tests run: [1-9][0-9]*, Failures: 0, Errors: 0' "$log"; then
  fail "gradient checks" "no passing GradientCheckTest run in the Maven output" "$log"
elif ! grep -q "$BACKEND_LINE" "$log"; then
  fail "gradient checks" "tests passed but the log does not show ND4J's CUDA backend loading" "$log"
else
  pass "gradient checks ($(grep -o 'Tests run: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f3) tests on JCublasBackend)"
fi

# 2. Step benchmarks from the jar: the figures are printed; PASS means they ran on CUDA.
for bench in gan-step diffusion-step; do
  log="$WORK/2-bench-$bench.log"
  cli bench "$bench" >"$log" 2>&1
  rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "bench $bench" "exited $rc" "$log"
  elif ! grep -q "$BACKEND_LINE" "$log"; then
    fail "bench $bench" "ran, but not on ND4J's CUDA backend" "$log"
  else
    pass "bench $bench"
    grep -v '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$log" | sed 's/^/    /'
  fi
done

# 3. train-gan on a standalone cluster: the worker offers one GPU, each executor and each task
# asks for one, so the run can only finish if Spark handed the executor the GPU.
export ATELIER_CLUSTER_DIR="$WORK/cluster" ATELIER_MASTER_PORT="${ATELIER_MASTER_PORT:-7177}" ATELIER_JAR="$JAR"
export ATELIER_WORKER_OPTS="-Dspark.worker.resource.gpu.amount=1 -Dspark.worker.resource.gpu.discoveryScript=$DISCOVER"
cluster="$ROOT/deploy/standalone/local-cluster.sh"
trap '"$cluster" stop >/dev/null 2>&1' EXIT
log="$WORK/3-train-gan.log"
data="$WORK/fashion-mnist"
run="$WORK/gan"
if ! cli ingest --input data/fashion-mnist/t10k-images-idx3-ubyte.gz --output "$data" --size 28 >"$log" 2>&1; then
  fail "train-gan on a GPU executor" "ingesting the vendored Fashion-MNIST failed" "$log"
elif ! "$cluster" start 1 "$CORES" 12g >>"$log" 2>&1; then
  fail "train-gan on a GPU executor" "the standalone cluster did not start" "$log"
else
  # spark.task.cpus = the executor's cores: one task per executor, as the one GPU allows.
  timeout "${ATELIER_GPU_CHECK_TIMEOUT:-1200}" "$cluster" submit --executor-memory 6g \
    --conf spark.executor.cores="$CORES" --conf spark.task.cpus="$CORES" \
    --conf spark.executor.resource.gpu.amount=1 --conf spark.task.resource.gpu.amount=1 \
    --conf spark.executor.resource.gpu.discoveryScript="$DISCOVER" \
    --conf "spark.executor.extraJavaOptions=-Dlog4j2.configurationFile=file:$WORK/log4j2-executor.properties -Dorg.bytedeco.javacpp.cachedir=$WORK/javacpp" \
    -- train-gan --data "$data" --out "$run" --workers 1 --local-steps 5 --rounds 2 \
    --checkpoint-every 1 --sample-every 1 >>"$log" 2>&1
  rc=$?
  executor_logs=("$ATELIER_CLUSTER_DIR"/worker-1/app-*/*/stderr)
  # Round lines only: a rejected (diverged) attempt adds an {"event":...} line.
  rounds="$(grep -vc '^{"event"' "$run/metrics.jsonl" 2>/dev/null)" || true
  rounds="${rounds:-0}"
  if [[ $rc -ne 0 ]]; then
    fail "train-gan on a GPU executor" "exited $rc (124: no task finished in time; was the GPU offered?)" "$log" \
      "${executor_logs[@]}"
  elif [[ "$rounds" -ne 2 ]]; then
    fail "train-gan on a GPU executor" "$run/metrics.jsonl has $rounds round(s), not 2" "$log"
  elif ! grep -q "$BACKEND_LINE" "${executor_logs[@]}" 2>/dev/null; then
    fail "train-gan on a GPU executor" "the executor did not load ND4J's CUDA backend" "${executor_logs[0]}"
  else
    pass "train-gan on a GPU executor (2 rounds in $run)"
    grep -h -A1 'Custom resources for spark.executor' "${executor_logs[@]}" 2>/dev/null | sed 's/^/    /'
  fi
fi

echo "check.sh: $failures step(s) failed"
[[ $failures -eq 0 ]]
