#!/usr/bin/env bash
# Training-step benchmark: dynamics-core (SameDiff, CPU, 1 OpenMP thread) and PyTorch eager (CPU, 1 thread)
# on the same model, data law and sizes, one after the other in one run. Writes a Markdown result on stdout.
# Needs: ./mvnw -DskipTests install; a python3 with torch and numpy (PYTHON=..., default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
CP_FILE=dynamics-core/target/bench.classpath
[[ -f "$CP_FILE" ]] || ./mvnw -q dependency:build-classpath -pl dynamics-core -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="dynamics-core/target/classes:$(cat "$CP_FILE")"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "# Training step, tdlab (DL4J/SameDiff CPU) vs PyTorch $($PY -c 'import torch; print(torch.__version__)') eager CPU — $(date +%F), $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| d | T | B | tdlab ms/step | PyTorch ms/step | tdlab tokens/s | PyTorch tokens/s | ratio (tdlab/PyTorch throughput) |"
echo "|---|---|---|---|---|---|---|---|"
for cfg in "4 256 16 300 50" "16 256 16 300 50" "64 256 16 200 40" "4 1024 16 60 15"; do
  set -- $cfg
  j=$(java -cp "$CP" bench/engine/EngineBench.java "$@" 2>/dev/null | grep '^tdlab')
  t=$($PY bench/engine/torch_bench.py "$@" | grep '^torch')
  read -r _ _ _ _ jms jtok _ <<<"$j"
  read -r _ _ _ _ tms ttok _ <<<"$t"
  ratio=$(python3 -c "print(f'{$jtok/$ttok:.2f}')")
  echo "| $1 | $2 | $3 | $jms | $tms | $jtok | $ttok | ratio: $ratio |"
done
