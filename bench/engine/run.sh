#!/usr/bin/env bash
# Training speed, dynamics-core (SameDiff, CPU) against PyTorch eager (CPU) on the same model, data law and sizes,
# side by side in one run. Writes a Markdown result on stdout:
#
#   PYTHON="env PYTHONPATH=/tmp/torchlib python3" bench/engine/run.sh > bench/results/$(date +%F)-$(hostname)-engine.md
#
# Needs: ./mvnw -DskipTests install (dynamics-core/target/classes); a python3 with torch and numpy (PYTHON=...,
# default python3; here: python3 -m pip install --target /tmp/torchlib torch numpy).
# Knobs: ROUNDS (default 3): each line is measured ROUNDS times, tdlab and PyTorch alternating (A,B,A,B,...), so that
#        load from other processes hits both sides alike; the table shows each side's best round and the ratio of the
#        two bests, the last column every round's ratio. SWEEP_RUNS (16), SWEEP_WORKERS (2: one per core),
#        SWEEP_STEPS (300). CONFIGS: "d T B steps warmup,..." for the single-run lines. ND4J_CLASSIFIER (default:
#        the pom's nd4j.classifier, linux-x86_64-onednn; e.g. linux-x86_64 for the plain build) to compare builds.
# Single-run lines: one thread per side (OMP_NUM_THREADS=1, torch.set_num_threads(1)); ms/step is the mean after
# the warm-up steps. Sweep: 2 worker threads in one JVM (as trainer-service) against 2 Python processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
ROUNDS="${ROUNDS:-3}"
SWEEP_RUNS="${SWEEP_RUNS:-16}" SWEEP_WORKERS="${SWEEP_WORKERS:-2}" SWEEP_STEPS="${SWEEP_STEPS:-300}"
CLS_ARG=()
[[ -n "${ND4J_CLASSIFIER:-}" ]] && CLS_ARG=(-Dnd4j.classifier="$ND4J_CLASSIFIER")
CP_FILE="dynamics-core/target/bench${ND4J_CLASSIFIER:+-$ND4J_CLASSIFIER}.classpath"
if [[ ! -f "$CP_FILE" || pom.xml -nt "$CP_FILE" || dynamics-core/pom.xml -nt "$CP_FILE" ]]; then
  ./mvnw -q dependency:build-classpath -pl dynamics-core "${CLS_ARG[@]}" -Dmdep.outputFile="target/$(basename "$CP_FILE")" >/dev/null
fi
[[ -d dynamics-core/target/classes ]] || { echo "build first: ./mvnw -DskipTests install" >&2; exit 1; }
CP="dynamics-core/target/classes:$(cat "$CP_FILE")"
BENCH_CLASSES=dynamics-core/target/engine-bench
mkdir -p "$BENCH_CLASSES"
javac -nowarn -d "$BENCH_CLASSES" -cp "$CP" bench/engine/EngineBench.java
JAVA=(java -cp "$BENCH_CLASSES:$CP" EngineBench)
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
best() { printf '%s\n' "$@" | sort -g | head -1; }        # smallest

echo "# Training step, tdlab (DL4J/SameDiff CPU) vs PyTorch $($PY -c 'import torch; print(torch.__version__)') eager CPU — $(date +%F), $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "- JVM: $(java -version 2>&1 | head -1); ND4J 1.0.0-M2.1, native jars on the class path: $(tr ':' '\n' < "$CP_FILE" | grep -o 'nd4j-native-1.0.0-M2.1-linux[^/]*\.jar' | sed 's/nd4j-native-1.0.0-M2.1-//; s/\.jar//' | sort -u | xargs | sed 's/ /, /g') (JavaCPP loads the -onednn one when present)"
echo "- Python $($PY -c 'import sys; print(sys.version.split()[0])'), numpy $($PY -c 'import numpy; print(numpy.__version__)'), torch $($PY -c 'import torch; print(torch.__version__)')"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds per line, tdlab and PyTorch alternating"
echo
echo "| d | T | B | tdlab ms/step | PyTorch ms/step | tdlab tokens/s | PyTorch tokens/s | ratio (tdlab/PyTorch throughput) | ratio per round |"
echo "|---|---|---|---|---|---|---|---|---|"
IFS=, read -r -a CFGS <<<"${CONFIGS:-4 256 16 300 50,16 256 16 300 50,64 256 16 200 40,4 1024 16 60 15}"
for cfg in "${CFGS[@]}"; do
  set -- $cfg
  jms=() tms=() rr=()
  for _ in $(seq "$ROUNDS"); do
    j=$("${JAVA[@]}" "$@" 2>/dev/null | grep '^tdlab')
    t=$($PY bench/engine/torch_bench.py "$@" | grep '^torch')
    read -r _ _ _ _ jm _ <<<"$j"
    read -r _ _ _ _ tm _ <<<"$t"
    jms+=("$jm") tms+=("$tm") rr+=("$(ratio "$tm" "$jm")")
  done
  jb=$(best "${jms[@]}") tb=$(best "${tms[@]}")
  jt=$(python3 -c "print(round($3*$2/($jb/1000)))") tt=$(python3 -c "print(round($3*$2/($tb/1000)))")
  echo "| $1 | $2 | $3 | $jb | $tb | $jt | $tt | ratio: $(ratio "$tb" "$jb") | $(echo "${rr[@]}" | sed 's/ /, /g') |"
done
echo
echo "Sweep: $SWEEP_RUNS runs of (d, T, B) = (4, 256, 16), $SWEEP_STEPS steps each, seeds 0..$((SWEEP_RUNS - 1)), $SWEEP_WORKERS workers (tdlab: threads of one JVM; PyTorch: processes), one thread each; wall time from the first run's start to the last run's end."
echo
echo "| runs | workers | tdlab wall s | PyTorch wall s | tdlab runs/hour | PyTorch runs/hour | tdlab tokens/s | PyTorch tokens/s | ratio (tdlab/PyTorch throughput) | ratio per round |"
echo "|---|---|---|---|---|---|---|---|---|---|"
jw=() tw=() rr=()
for _ in $(seq "$ROUNDS"); do
  j=$("${JAVA[@]}" sweep "$SWEEP_RUNS" "$SWEEP_WORKERS" 4 256 16 "$SWEEP_STEPS" 2>/dev/null | grep '^tdlab-sweep')
  t=$($PY bench/engine/torch_bench.py sweep "$SWEEP_RUNS" "$SWEEP_WORKERS" 4 256 16 "$SWEEP_STEPS" | grep '^torch-sweep')
  read -r _ _ _ _ _ _ _ js _ <<<"$j"
  read -r _ _ _ _ _ _ _ ts _ <<<"$t"
  jw+=("$js") tw+=("$ts") rr+=("$(ratio "$ts" "$js")")
done
jb=$(best "${jw[@]}") tb=$(best "${tw[@]}")
tok=$((SWEEP_RUNS * SWEEP_STEPS * 16 * 256))
echo "| $SWEEP_RUNS | $SWEEP_WORKERS | $jb | $tb | $(python3 -c "print(f'{$SWEEP_RUNS*3600/$jb:.0f}')") | $(python3 -c "print(f'{$SWEEP_RUNS*3600/$tb:.0f}')") | $(python3 -c "print(round($tok/$jb))") | $(python3 -c "print(round($tok/$tb))") | ratio: $(ratio "$tb" "$jb") | $(echo "${rr[@]}" | sed 's/ /, /g') |"
echo
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
