#!/usr/bin/env bash
# Training speed, dynamics-engine on CPU (the hand-written fast engine and the SameDiff graph) against PyTorch on CPU
# written three ways (plain eager; SDPA + fused Adam; torch.compile), same model, data law and sizes, side by side in
# one run. Writes a Markdown result on stdout:
#
#   PYTHON="env PYTHONPATH=/tmp/torchlib python3" bench/engine/run.sh > bench/results/$(date +%F)-$(hostname)-engine.md
#
# Needs: dynamics-engine/target/classes and dynamics-theory/target/classes (./mvnw -o -pl dynamics-engine -am compile); a python3 with torch and numpy
# (PYTHON=..., default python3; here: python3 -m pip install --target /tmp/torchlib torch numpy) and a C++ compiler
# for torch.compile.
# Knobs: ROUNDS (default 3): each line is measured ROUNDS times, the sides alternating (fast, SameDiff, plain, sdpa,
#        compile, fast, ...), so that load from other processes hits all alike; the table shows each side's best
#        round, the ratio of tdlab's best to the best PyTorch way, and every round's ratio. COMPILE_ROUNDS (default 1):
#        rounds that also run torch.compile (each compile costs ~20-70 s of wall time here; the warm-up excludes it).
#        SWEEP_RUNS (16), SWEEP_WORKERS (2: one per core), SWEEP_STEPS (300). CONFIGS: "d T B steps warmup,...".
#        DEEP_CONFIGS: "L d T B steps warmup,..." (the deep family, default "8 64 64 16 60 15"); CLS_CONFIGS:
#        "P D mk mv n steps warmup,..." (Li's two-layer classifier, full batch of n, default "2 64 32 16 64 4000 2000":
#        the JIT compiles the classifier kernels' vector tiles after ~1-2 s under load).
#        An empty knob ("") skips its lines; SWEEP_RUNS=0 skips the sweep.
#        ND4J_CLASSIFIER (default: the pom's nd4j.classifier, linux-x86_64-onednn).
# Single-run lines: one thread per side (OMP_NUM_THREADS=1, torch.set_num_threads(1)); ms/step is the mean after
# the warm-up steps. Sweep: 2 worker threads in one JVM (as trainer-service) against 2 Python processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
ROUNDS="${ROUNDS:-3}" COMPILE_ROUNDS="${COMPILE_ROUNDS:-1}"
SWEEP_RUNS="${SWEEP_RUNS:-16}" SWEEP_WORKERS="${SWEEP_WORKERS:-2}" SWEEP_STEPS="${SWEEP_STEPS:-300}"
CLS_ARG=()
[[ -n "${ND4J_CLASSIFIER:-}" ]] && CLS_ARG=(-Dnd4j.classifier="$ND4J_CLASSIFIER")
CP_FILE="dynamics-engine/target/bench${ND4J_CLASSIFIER:+-$ND4J_CLASSIFIER}.classpath"
if [[ ! -f "$CP_FILE" || pom.xml -nt "$CP_FILE" || dynamics-engine/pom.xml -nt "$CP_FILE" ]]; then
  ./mvnw -q dependency:build-classpath -pl dynamics-engine "${CLS_ARG[@]}" -Dmdep.outputFile="target/$(basename "$CP_FILE")" >/dev/null
fi
[[ -d dynamics-engine/target/classes && -d dynamics-theory/target/classes ]] || { echo "build first: ./mvnw -DskipTests install" >&2; exit 1; }
CP="dynamics-engine/target/classes:dynamics-theory/target/classes:$(cat "$CP_FILE")"
BENCH_CLASSES=dynamics-engine/target/engine-bench
mkdir -p "$BENCH_CLASSES"
javac -nowarn -d "$BENCH_CLASSES" -cp "$CP" bench/engine/EngineBench.java
JAVA=(java --add-modules jdk.incubator.vector -cp "$BENCH_CLASSES:$CP")
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
best() { printf '%s\n' "$@" | { grep -v '^-\?$' || true; } | sort -g | head -1; }       # smallest ("-" and empty: none)
field() { awk -v n="$1" '{print $n}'; }
jrun() { "${JAVA[@]}" -Dtdlab.engine="$1" EngineBench "${@:2}" 2>/dev/null | grep '^tdlab' || true; }
trun() { $PY bench/engine/torch_bench.py "$@" 2>/dev/null | grep '^torch' || true; }

echo "# Training step, tdlab (fast engine / DL4J SameDiff, CPU) vs PyTorch $($PY -c 'import torch; print(torch.__version__)') CPU three ways — $(date -u '+%F %H:%M UTC'), $(nproc --all) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "- JVM: $(java -version 2>&1 | head -1), --add-modules jdk.incubator.vector; ND4J 1.0.0-M2.1 native: $(tr ':' '\n' < "$CP_FILE" | grep -o 'nd4j-native-1.0.0-M2.1-linux[^/]*\.jar' | sed 's/nd4j-native-1.0.0-M2.1-//; s/\.jar//' | sort -u | xargs | sed 's/ /, /g')"
echo "- Python $($PY -c 'import sys; print(sys.version.split()[0])'), numpy $($PY -c 'import numpy; print(numpy.__version__)'), torch $($PY -c 'import torch; print(torch.__version__)')"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds per line (torch.compile in $COMPILE_ROUNDS of them), sides alternating"
echo "- tdlab fast = hand-written kernels (dev.tdlab.core.fast: float64, the dense products float32 in these float32 runs), SameDiff = the graph (engine of record), auto = the engine the Trainer picks by default; PyTorch plain = masked_fill + softmax, Adam (foreach); sdpa = F.scaled_dot_product_attention(is_causal=True) + Adam(fused=True); compile = torch.compile(sdpa model) + Adam(fused=True)"
echo
echo "| d | T | B | tdlab fast ms | tdlab SameDiff ms | auto | PyTorch plain ms | PyTorch sdpa+fused ms | PyTorch compile ms | best PyTorch | ratio auto/best PyTorch | SameDiff/best PyTorch | ratio per round (auto/best PyTorch of the round) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
IFS=, read -r -a CFGS <<<"${CONFIGS-4 256 16 300 50,4 64 16 1000 200,16 256 16 300 50,64 256 16 200 40,4 1024 16 40 10}"
for cfg in "${CFGS[@]}"; do
  set -- $cfg
  fs=() ss=() ps=() qs=() cs=() rr=() auto=""
  for r in $(seq "$ROUNDS"); do
    f=$(jrun fast "$@") s=$(jrun samediff "$@")
    auto=$(echo "$f" | field 9)
    p=$(trun plain "$@" | field 5) q=$(trun sdpa "$@" | field 5) c="-"
    if (( r <= COMPILE_ROUNDS )); then c=$(trun compile "$@" | field 5); c=${c:--}; fi
    fm=$(echo "$f" | field 5) sm=$(echo "$s" | field 5)
    fs+=("$fm") ss+=("$sm") ps+=("$p") qs+=("$q") cs+=("$c")
    am=$([[ "$auto" == fast ]] && echo "$fm" || echo "$sm")
    rr+=("$(ratio "$(best "$p" "$q" "$c")" "$am")")
  done
  fb=$(best "${fs[@]}") sb=$(best "${ss[@]}") pb=$(best "${ps[@]}") qb=$(best "${qs[@]}") cb=$(best "${cs[@]}")
  tb=$(best "$pb" "$qb" "$cb")
  ab=$([[ "$auto" == fast ]] && echo "$fb" || echo "$sb")
  echo "| $1 | $2 | $3 | $fb | $sb | $auto | $pb | $qb | ${cb:--} | $tb | ratio: $(ratio "$tb" "$ab") | $(ratio "$tb" "$sb") | $(echo "${rr[@]}" | sed 's/ /, /g') |"
done
echo
echo "Other families (same columns; ms per step; the fast engine's column is - where it does not compute the model): the deep model (L pre-LN blocks, d, T, B; DeepConfig's defaults otherwise: 2 heads, residual branches times 1/sqrt(L), ReLU MLP 4d, tied head, GPT-2 init 0.02; Markov data as above) and Li et al.'s two-layer classifier (P patches of dimension D, W_Q, W_K [D,mk], W_V [D,2mv], softmax without 1/sqrt(d), fixed +-1/mv readout, logistic loss; n noisy-patch examples, full batch). Adam 1e-3, float32, one thread per side."
echo
echo "| line | sizes | tdlab fast ms | tdlab SameDiff ms | auto | PyTorch plain ms | PyTorch sdpa+fused ms | PyTorch compile ms | best PyTorch | ratio auto/best PyTorch | SameDiff/best PyTorch | ratio per round (auto/best PyTorch of the round) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
# one line of the second table: $1 = deep|classifier, the rest EngineBench's and torch_bench's arguments
family_line() {
  local kind="$1"; shift
  local fs=() ss=() ps=() qs=() cs=() rr=() auto="" f s p q c fm sm am
  for r in $(seq "$ROUNDS"); do
    f=$(jrun fast "$kind" "$@") s=$(jrun samediff "$kind" "$@")
    fm=$(echo "$f" | field "${#@}") sm=$(echo "$s" | field "${#@}")
    auto=$(echo "$s" | field "$((${#@} + 4))")
    p=$(trun plain "$kind" "$@" | field "${#@}") q=$(trun sdpa "$kind" "$@" | field "${#@}") c="-"
    if (( r <= COMPILE_ROUNDS )); then c=$(trun compile "$kind" "$@" | field "${#@}"); fi
    fs+=("${fm:--}") ss+=("${sm:--}") ps+=("${p:--}") qs+=("${q:--}") cs+=("${c:--}")
    am=$([[ "$auto" == fast ]] && echo "$fm" || echo "$sm")
    rr+=("$(ratio "$(best "$p" "$q" "$c")" "$am")")
  done
  local fb sb pb qb cb tb ab
  fb=$(best "${fs[@]}") sb=$(best "${ss[@]}") pb=$(best "${ps[@]}") qb=$(best "${qs[@]}") cb=$(best "${cs[@]}")
  tb=$(best "$pb" "$qb" "$cb")
  ab=$([[ "$auto" == fast ]] && echo "$fb" || echo "$sb")
  echo "| $kind | $LABEL | ${fb:--} | $sb | $auto | $pb | $qb | ${cb:--} | $tb | ratio: $(ratio "$tb" "$ab") | $(ratio "$tb" "$sb") | $(echo "${rr[@]}" | sed 's/ /, /g') |"
}
IFS=, read -r -a DCFGS <<<"${DEEP_CONFIGS-8 64 64 16 60 15}"
for cfg in "${DCFGS[@]}"; do
  set -- $cfg
  LABEL="L=$1, d=$2, T=$3, B=$4" family_line deep "$@"
done
IFS=, read -r -a KCFGS <<<"${CLS_CONFIGS-2 64 32 16 64 4000 2000}"
for cfg in "${KCFGS[@]}"; do
  set -- $cfg
  LABEL="P=$1, D=$2, mk=$3, mv=$4, n=B=$5" family_line classifier "$@"
done
(( SWEEP_RUNS > 0 )) || { echo; echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"; exit 0; }
echo
echo "Sweep: $SWEEP_RUNS runs of (d, T, B) = (4, 256, 16), $SWEEP_STEPS steps each, seeds 0..$((SWEEP_RUNS - 1)), $SWEEP_WORKERS workers (tdlab: threads of one JVM; PyTorch: processes), one thread each; wall time from the first run's start to the last run's end. torch.compile is not in the sweep (its compile, ~20-70 s here, would be paid by every run's process)."
echo
echo "| runs | workers | tdlab fast wall s | tdlab SameDiff wall s | PyTorch plain wall s | PyTorch sdpa+fused wall s | tdlab fast runs/hour | best PyTorch runs/hour | ratio fast/best PyTorch | SameDiff/best PyTorch | ratio per round |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
fw=() sw=() pw=() qw=() rr=()
SW=(sweep "$SWEEP_RUNS" "$SWEEP_WORKERS" 4 256 16 "$SWEEP_STEPS")
for _ in $(seq "$ROUNDS"); do
  f=$("${JAVA[@]}" -Dtdlab.engine=fast EngineBench "${SW[@]}" 2>/dev/null | grep '^tdlab-sweep' | field 8)
  s=$("${JAVA[@]}" -Dtdlab.engine=samediff EngineBench "${SW[@]}" 2>/dev/null | grep '^tdlab-sweep' | field 8)
  p=$($PY bench/engine/torch_bench.py plain "${SW[@]}" | grep '^torch-sweep' | field 8)
  q=$($PY bench/engine/torch_bench.py sdpa "${SW[@]}" | grep '^torch-sweep' | field 8)
  fw+=("$f") sw+=("$s") pw+=("$p") qw+=("$q") rr+=("$(ratio "$(best "$p" "$q")" "$f")")
done
fb=$(best "${fw[@]}") sb=$(best "${sw[@]}") pb=$(best "${pw[@]}") qb=$(best "${qw[@]}")
tb=$(best "$pb" "$qb")
echo "| $SWEEP_RUNS | $SWEEP_WORKERS | $fb | $sb | $pb | $qb | $(python3 -c "print(f'{$SWEEP_RUNS*3600/$fb:.0f}')") | $(python3 -c "print(f'{$SWEEP_RUNS*3600/$tb:.0f}')") | ratio: $(ratio "$tb" "$fb") | $(ratio "$tb" "$sb") | $(echo "${rr[@]}" | sed 's/ /, /g') |"
echo
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
