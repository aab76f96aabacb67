#!/usr/bin/env bash
# Spark GPU discovery script: prints this machine's (or container's) GPUs in Spark's resource
# format, e.g. {"name":"gpu","addresses":["0","1"]}, using nvidia-smi's device indices, which is
# how ND4J numbers devices. Named by spark.executor.resource.gpu.discoveryScript (YARN,
# Kubernetes) or spark.worker.resource.gpu.discoveryScript (standalone workers); see
# conf/spark-gpu.conf.
# On any problem it prints one line naming itself and the cause and exits 1. That line goes to
# stdout on purpose: Spark's exception names the script ("Process List(<script>) exited with
# code 1") and its ERROR log line just before adds the script's stdout (stderr is only logged at
# INFO); after a non-zero exit Spark does not parse the output.
set -euo pipefail
fail() { echo "$0: $*"; exit 1; }

command -v nvidia-smi >/dev/null 2>&1 \
  || fail "nvidia-smi is not on PATH: no NVIDIA driver here, so this machine offers no GPUs"
out="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)" \
  || fail "nvidia-smi failed: $(head -n 1 <<<"$out")"

addresses=()
while IFS= read -r line; do
  line="${line//[[:space:]]/}"
  [[ -z "$line" ]] && continue
  [[ "$line" =~ ^[0-9]+$ ]] || fail "nvidia-smi printed '$line' where a device index was expected"
  addresses+=("\"$line\"")
done <<<"$out"
[[ ${#addresses[@]} -gt 0 ]] || fail "nvidia-smi lists no GPUs"
(IFS=,; echo "{\"name\":\"gpu\",\"addresses\":[${addresses[*]}]}")
