#!/usr/bin/env bash
# Data-generation benchmark: Java (dynamics-theory) and numpy side by side, in one run, on this machine.
# Writes bench/results/<date>-<machine>-datagen.md. Usage (from anywhere):
#   bench/datagen/run.sh [reps]          # TDLAB_BENCH_MACHINE=name to name the machine
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
reps="${1:-7}"
if [ ! -d dynamics-theory/target/classes/dev/tdlab/core/data ]; then
  mvn -q -o -pl dynamics-theory -am install -DskipTests
fi
python3 -c "import numpy" 2>/dev/null || { echo "numpy is missing: pip install numpy" >&2; exit 2; }
cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' | tr -s ' ')"
ncpu="$(nproc)"
machine="${TDLAB_BENCH_MACHINE:-$(echo "$cpu" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//' | cut -c1-24)-${ncpu}cpu}"
date="$(date -u +%Y-%m-%d)"
out="bench/results/${date}-${machine}-datagen.md"
tmp="$(mktemp -d)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# interleave the two sides twice so that a load spike from other jobs hits both
java -Xmx2g -cp dynamics-theory/target/classes bench/datagen/DatagenBench.java "$reps" 1,2 > "$tmp/java1.tsv"
python3 bench/datagen/datagen_numpy.py "$reps" > "$tmp/numpy1.tsv"
java -Xmx2g -cp dynamics-theory/target/classes bench/datagen/DatagenBench.java "$reps" 1,2 > "$tmp/java2.tsv"
python3 bench/datagen/datagen_numpy.py "$reps" > "$tmp/numpy2.tsv"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp" "$out" "$cpu" "$ncpu" "$date" "$load_before" "$load_after" "$reps" <<'PY'
import sys, os, platform
tmp, out, cpu, ncpu, date, lb, la, reps = sys.argv[1:9]
def read(name):
    rows, head = {}, ""
    for line in open(os.path.join(tmp, name)):
        if line.startswith("#"):
            head = line[1:].strip(); continue
        f = line.rstrip("\n").split("\t")
        if name.startswith("java"):
            rows[(f[0], int(f[1]))] = (f[2], float(f[3]), float(f[4]))
        else:
            rows[f[0]] = (f[1], float(f[2]))
    return head, rows
jh, j1 = read("java1.tsv"); _, j2 = read("java2.tsv")
nh, n1 = read("numpy1.tsv"); _, n2 = read("numpy2.tsv")
java = {k: min(j1[k][1], j2[k][1]) for k in j1}
numpy = {k: min(n1[k][1], n2[k][1]) for k in n1}
counts = {"markov-binary-k1": 65536 * 257, "markov-v8-k3": 65536 * 257, "markov-incontext-binary-k1": 65536 * 257,
          "sequence-classification-binary-k1": 65536 * 257, "noisy-patch-P8-d256": 4096 * 8 * 256,
          "patch-image-16x16-p4": 16384 * 256}
L = []
L.append(f"# Data generation throughput, {date}\n")
L.append(f"Machine: {cpu}, {ncpu} CPUs (shared with other builds; load average {lb} before, {la} after).  ")
L.append(f"Java: {jh}. numpy: {nh}.  ")
L.append(f"Command: `bench/datagen/run.sh {reps}` — each side ran twice, interleaved (Java, numpy, Java, numpy); each "
         f"number is the best of 2 x {reps} timed runs after 3 warm-up runs (Java) / 1 (numpy). Both sides produce the same "
         "data in the same storage format (bit-packed tokens for V = 2, one byte per token otherwise, float32 records).\n")
L.append("| case | unit | numpy (1 thread) | Java 1 thread | Java 2 threads | Java 1 thread / numpy | Java 2 threads / numpy |")
L.append("|---|---|---:|---:|---:|---:|---:|")
for case, cnt in counts.items():
    unit = n1[case][0]
    npv = cnt / numpy[case]; j1v = cnt / java[(case, 1)]; j2v = cnt / java[(case, 2)]
    L.append(f"| {case} | {unit} | {npv/1e6:.1f} M/s | {j1v/1e6:.1f} M/s | {j2v/1e6:.1f} M/s | {j1v/npv:.2f}x | {j2v/npv:.2f}x |")
L.append("")
L.append("Sizes: token cases 65,536 sequences x 257 tokens (seqLen 256); noisy-patch 4,096 examples x 8 patches x 256 dims; "
         "patch-image 16,384 images of 16x16 pixels cut into 4x4 patches. Goal (issue 5): >= 100 M tokens/s for binary "
         "order 1 on 2 cores, >= 1.0x numpy on every family.")
L.append("")
L.append("Raw output:\n\n```")
for name in ["java1.tsv", "numpy1.tsv", "java2.tsv", "numpy2.tsv"]:
    L.append(f"== {name}")
    L.append(open(os.path.join(tmp, name)).read().rstrip())
L.append("```")
open(out, "w").write("\n".join(L) + "\n")
print(out)
PY
cat "$out"
