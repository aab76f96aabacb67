#!/usr/bin/env bash
# Builds the GPU jar (jobs/target/atelier-jobs-cuda.jar, Maven profile `cuda`) and checks what is
# in it. Exits non-zero, naming the missing or unwanted entry, when the jar is not a CUDA-only
# linux-x86_64 build. Not part of `mvn -B verify`: the CUDA natives are a 600 MB download.
#   deploy/gpu/build-cuda-jar.sh [extra Maven arguments, e.g. -o]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JAR=jobs/target/atelier-jobs-cuda.jar
CPU_JAR=jobs/target/atelier-jobs.jar

fail() { echo "build-cuda-jar: FAIL: $*" >&2; exit 1; }

# The CPU build's jar must survive a GPU build untouched.
cpu_before=""
[[ -f "$CPU_JAR" ]] && cpu_before="$(cksum "$CPU_JAR")"

start=$SECONDS
mvn -B -Pcuda -DskipTests -pl common,jobs -am "$@" package
echo "build-cuda-jar: Maven took $((SECONDS - start)) s"

[[ -f "$JAR" ]] || fail "$JAR was not written; see the Maven output above"
if [[ -n "$cpu_before" && "$(cksum "$CPU_JAR")" != "$cpu_before" ]]; then
  fail "$CPU_JAR changed: the cuda profile must write its own jar name"
fi

listing="$(mktemp)"
scratch="$(mktemp -d)"
trap 'rm -rf "$listing" "$scratch"' EXIT
(cd "$scratch" && jar tf "$ROOT/$JAR") >"$listing"

must_have() { grep -qE "$1" "$listing" || fail "$JAR lacks $2 ($1)"; }
must_not_have() {
  local hit
  hit="$(grep -m1 -E "$1" "$listing" || true)"
  [[ -z "$hit" ]] || fail "$JAR holds $2: $hit"
}

must_have '^io/atelier/jobs/AtelierCli\.class$' "Atelier's entry point"
must_have '^org/nd4j/linalg/jcublas/JCublasBackend\.class$' "ND4J's CUDA backend"
must_have '^org/nd4j/linalg/jcublas/bindings/linux-x86_64-cudnn/libjnind4jcuda\.so$' "the CUDA backend's JNI library"
must_have '^org/nd4j/linalg/jcublas/bindings/linux-x86_64-cudnn/libnd4jcuda\.so$' "libnd4j built for CUDA with cuDNN"
must_have '^org/bytedeco/cuda/linux-x86_64/libjnicudart\.so$' "JavaCPP's CUDA runtime bindings"
must_not_have '^org/nd4j/linalg/cpu/' "the nd4j-native CPU backend"
must_not_have 'libjnind4jcpu|libnd4jcpu' "CPU backend natives"
# The CUDA toolkit and cuDNN come from the machine (deploy/gpu/Dockerfile), not the 1.8 GB redist jar.
must_not_have '^org/bytedeco/cuda/linux-x86_64/lib(cudart|cublas|cudnn|cusolver|curand)\.so' "redistributed CUDA libraries"
# JavaCPP's (ND4J's, CUDA's) natives; JNA's small per-platform stubs are in every build.
must_not_have '^org/(bytedeco|nd4j)/.*/((windows|macosx|android|ios)-[^/]+|linux-(arm64|armhf|ppc64le)[^/]*)/' \
  "JavaCPP natives for another platform"

(cd "$scratch" && jar xf "$ROOT/$JAR" META-INF/services/org.nd4j.linalg.factory.Nd4jBackend)
services="$scratch/META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"
[[ -f "$services" ]] || fail "$JAR lacks ND4J's backend service file"
grep -qx 'org.nd4j.linalg.jcublas.JCublasBackend' "$services" || fail "the backend service file does not name JCublasBackend"
if grep -v '^\s*\(#\|$\)' "$services" | grep -qvx 'org.nd4j.linalg.jcublas.JCublasBackend'; then
  fail "the backend service file names another backend: $(tr '\n' ' ' <"$services")"
fi

# Up to the device: without a CUDA driver, ND4J must pick the CUDA backend, fail on the driver
# library and find no other backend to fall back to.
if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
  echo "build-cuda-jar: a CUDA driver is installed; run deploy/gpu/check.sh for the device checks"
else
  out="$scratch/boundary.log"
  mapfile -t flags < <(grep -v '^\s*\(#\|$\)' conf/jvm.options)
  set +e
  java "${flags[@]}" -Dorg.bytedeco.javacpp.cachedir="$scratch/javacpp" -Djava.io.tmpdir="$scratch" \
    -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
    -cp "$JAR:$(cat jobs/target/classpath-cuda.txt)" io.atelier.jobs.AtelierCli \
    bench gan-step --steps 1 --warmup 0 >"$out" 2>&1
  rc=$?
  set -e
  if [[ $rc -eq 0 ]] || ! grep -q 'Skipped \[JCublasBackend\] backend (unavailable).*libcuda\.so\.1' "$out" \
     || ! grep -q 'NoAvailableBackendException' "$out"; then
    tail -n 20 "$out" >&2
    fail "without a GPU the jar should stop at the CUDA driver (libcuda.so.1) with no backend left"
  fi
  echo "build-cuda-jar: no GPU here; the jar loads ND4J's CUDA backend up to the driver (libcuda.so.1) and has no CPU fallback"
fi

echo "build-cuda-jar: OK $JAR $(stat -c %s "$JAR") bytes ($(( $(stat -c %s "$JAR") / 1048576 )) MiB)"
