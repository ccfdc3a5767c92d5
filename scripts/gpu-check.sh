#!/usr/bin/env bash
# GPU check of the engine: ND4J 1.0.0-M2.1's CUDA backend (nd4j-cuda-11.6, the -Pcuda build) on the GPU of this
# machine, against the CPU backend on the same machine. Run from anywhere on a machine with an NVIDIA GPU, a driver,
# Java 17 and Maven access (the -Pcuda build downloads ~610 MB: nd4j-cuda-11.6 linux-x86_64 + JavaCPP cuda 11.6; the
# CUDA 11.6 runtime, cuBLAS and cuDNN 8.3 libraries must be installed, or set CUDA_REDIST=1 to take JavaCPP's
# cuda-redist jar, another ~1.8 GB). About 5-10 minutes.
#
#   scripts/gpu-check.sh 2>&1 | tee bench/results/$(date +%F)-$(hostname)-gpu.md
#
# Steps: (1) the GPU (nvidia-smi: name, compute capability, driver); (2) build dynamics-engine with -Pcuda and with the
# CPU backend; (3) start the CUDA backend and run a kernel: if that fails (e.g. no kernel image for compute capability
# 9.0 in a CUDA 11.6 build), print the exact error and exit 2; (4) train the reference model (single layer, d=4,
# T=256, B=16) and a deep model (L=4, d=256, T=1024, 4 heads, pre-LN, B=16) for STEPS (200) steps on the GPU through
# the Trainer on the SameDiff engine, the same runs on the CPU backend (the deep one for CPU_STEPS, default 20: ~500
# GFLOP per step), and compare the losses step by step: max relative difference <= TOL (1e-3; float32 on both, cuBLAS
# vs oneDNN/OpenBLAS summation order, compounded over the trajectory); (5) ms/step and achieved FLOP/s (3x the forward
# matmul FLOPs, see GpuCheck.flopPerStep) against the GPU's FP32 peak (PEAK_TFLOPS, else a table by GPU name).
# Exit 0 only when everything ran and the losses agree. Knobs: STEPS, CPU_STEPS, TOL, PEAK_TFLOPS, CPU_THREADS.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${STEPS:-200}" CPU_STEPS="${CPU_STEPS:-20}" TOL="${TOL:-1e-3}" B=16
OUT=target/gpu-check
mkdir -p "$OUT"
fail() { echo "GPU CHECK FAILED: $*"; exit 2; }

echo "# GPU check — $(date -u '+%F %H:%M UTC'), $(hostname)"
echo
command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: no NVIDIA driver on this machine"
GPU=$(nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader | head -1) \
  || fail "nvidia-smi cannot query the GPU: $(nvidia-smi 2>&1 | head -3)"
echo "- GPU: $GPU"
echo "- driver's CUDA version: $(nvidia-smi | grep -o 'CUDA Version: [0-9.]*' || echo unknown)"
echo "- CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); JVM: $(java -version 2>&1 | head -1)"
echo "- ND4J 1.0.0-M2.1: nd4j-cuda-11.6 (built for CUDA 11.6) against nd4j-native (CPU)"

# (2) builds: class paths of both backends
./mvnw -q -Pcuda -DskipTests -pl dynamics-engine -am package >"$OUT/build-cuda.log" 2>&1 \
  || fail "the -Pcuda build failed: $(grep -m3 ERROR "$OUT/build-cuda.log")"
./mvnw -q -Pcuda dependency:build-classpath -pl dynamics-engine -Dmdep.outputFile="$PWD/$OUT/cuda.classpath" \
  >>"$OUT/build-cuda.log" 2>&1 || fail "-Pcuda class path: $(grep -m3 ERROR "$OUT/build-cuda.log")"
CUDA_CP="dynamics-engine/target/classes:dynamics-theory/target/classes:$(cat "$OUT/cuda.classpath")"
if [[ "${CUDA_REDIST:-0}" == 1 ]]; then
  ./mvnw -q dependency:copy -Dartifact=org.bytedeco:cuda:11.6-8.3-1.5.7:jar:linux-x86_64-redist -DoutputDirectory="$OUT" \
    >>"$OUT/build-cuda.log" 2>&1 || fail "cuda redist: $(grep -m3 ERROR "$OUT/build-cuda.log")"
  CUDA_CP="$CUDA_CP:$(ls "$OUT"/cuda-11.6-8.3-1.5.7-linux-x86_64-redist.jar)"
fi
# the CPU side: a separate compile output, so the -Pcuda classes stay untouched
./mvnw -q dependency:build-classpath -pl dynamics-engine -Dmdep.outputFile="$PWD/$OUT/cpu.classpath" \
  >"$OUT/build-cpu.log" 2>&1 || fail "CPU class path: $(grep -m3 ERROR "$OUT/build-cpu.log")"
CPU_CP="dynamics-engine/target/classes:dynamics-theory/target/classes:$(cat "$OUT/cpu.classpath")"
javac -nowarn -d "$OUT/classes" -cp "$CUDA_CP" bench/engine/GpuCheck.java
JAVA=(java -Xmx8g --add-modules jdk.incubator.vector)

# (3) the CUDA backend starts and runs a kernel, or the exact error
echo
echo "## CUDA backend"
if ! "${JAVA[@]}" -cp "$OUT/classes:$CUDA_CP" GpuCheck probe >"$OUT/probe.log" 2>&1; then
  echo '```'; grep -v '^\s*at ' "$OUT/probe.log" | tail -40; echo '```'
  fail "ND4J's CUDA 11.6 backend cannot run on this GPU ($GPU); the log above has the exact error"
fi
grep -E '^backend|^environment' "$OUT/probe.log" | sed 's/^/- /'
grep -q -i 'cuda\|cublas' "$OUT/probe.log" || fail "the backend that started is not CUDA: $(grep '^backend' "$OUT/probe.log")"

# (4) training runs, GPU then CPU
run() { # backend-cp label model steps
  local log="$OUT/$2-$3.log"
  env ${5:-} "${JAVA[@]}" -cp "$OUT/classes:$1" GpuCheck "$3" "$4" "$B" "$OUT/$2-$3.tsv" >"$log" 2>&1 \
    || { grep -v '^\s*at ' "$log" | tail -30; fail "$2 run of $3 failed"; }
  grep '^run' "$log"
}
CPU_ENV="OMP_NUM_THREADS=${CPU_THREADS:-$(nproc)}"
echo
echo "## Runs (Trainer, SameDiff engine, float32, Adam 1e-3, batch $B, binary Markov p=0.2 q=0.3)"
echo
echo "| model | where | steps | ms/step | FLOP/step | achieved TFLOP/s | of FP32 peak |"
echo "|---|---|---|---|---|---|---|"
case "$GPU" in
  *H200*|*H100*SXM*|*H100\ 80GB\ HBM3*) PEAK_DEF=67 ;;
  *H100*) PEAK_DEF=51 ;;
  *A100*) PEAK_DEF=19.5 ;;
  *L40S*) PEAK_DEF=91.6 ;;
  *L4*) PEAK_DEF=30.3 ;;
  *A10*) PEAK_DEF=31.2 ;;
  *) PEAK_DEF=0 ;;
esac
PEAK="${PEAK_TFLOPS:-$PEAK_DEF}"
for spec in "ref gpu $STEPS" "deep gpu $STEPS" "ref cpu $STEPS" "deep cpu $CPU_STEPS"; do
  set -- $spec
  if [[ $2 == gpu ]]; then line=$(run "$CUDA_CP" gpu "$1" "$3"); else line=$(run "$CPU_CP" cpu "$1" "$3" "$CPU_ENV"); fi
  read -r _ _ n ms flop <<<"$line"
  python3 - "$1" "$2" "$n" "$ms" "$flop" "$PEAK" <<'PY'
import sys
m, where, n, ms, flop, peak = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
tf = flop / (ms / 1000) / 1e12
share = f"{100 * tf / peak:.1f}% of {peak:g}" if where == "gpu" and peak > 0 else "-"
print(f"| {m} | {where} | {n} | {ms:.2f} | {flop:.3g} | {tf:.3f} | {share} |")
PY
done

# loss agreement, step by step over the steps both sides ran
echo
echo "## Loss agreement GPU vs CPU (tolerance: max relative difference per step <= $TOL)"
echo
python3 - "$OUT" "$TOL" <<'PY'
import sys
out, tol = sys.argv[1], float(sys.argv[2])
ok = True
for m in ("ref", "deep"):
    g = [float(l.split()[1]) for l in open(f"{out}/gpu-{m}.tsv")]
    c = [float(l.split()[1]) for l in open(f"{out}/cpu-{m}.tsv")]
    n = min(len(g), len(c))
    rel = max(abs(g[i] - c[i]) / abs(c[i]) for i in range(n))
    good = rel <= tol
    ok &= good
    print(f"- {m}: {n} steps, max relative difference {rel:.2e}, final loss GPU {g[n-1]:.6f} CPU {c[n-1]:.6f}: "
          + ("OK" if good else "DIFFERS"))
sys.exit(0 if ok else 3)
PY
echo
echo "GPU CHECK PASSED"
