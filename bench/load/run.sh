#!/usr/bin/env bash
# Submission latency under a burst: starts Kafka + PostgreSQL (devstack, free ports, a fresh data dir) and one
# analysis-service per QUARKUS_APP directory given, then runs SubmitLoadBench against it; the variants take turns
# (ROUNDS times each, each turn on a fresh stack) so that load from other processes hits them alike.
#
#   bench/load/run.sh [QUARKUS_APP_DIR[=LABEL] ...]     default: analysis-service/target/quarkus-app=current
#
# Knobs (environment): ROUNDS (turns per variant, default 2), BURSTS (measured bursts per turn, 5), CONCURRENCY (50),
# WARMUP (bursts before measuring, 2), JAVA (default: java on PATH), SERVICE_OPTS (JVM options of the service, e.g. a
# JFR recording), THREADS (non-empty: also print the service's CPU time by thread). Needs the devstack module packaged
# (./mvnw -o -pl analysis-service,devstack -am package -DskipTests).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAVA="${JAVA:-java}"
ROUNDS="${ROUNDS:-2}"; BURSTS="${BURSTS:-5}"; CONCURRENCY="${CONCURRENCY:-50}"; WARMUP="${WARMUP:-2}"
[[ $# -gt 0 ]] || set -- "$ROOT/analysis-service/target/quarkus-app=current"
TOKEN="bench-admin-token-0123456789abcdef0123456789abcdef"
WORK="$(mktemp -d /tmp/tdlab-load.XXXXXX)"
DEVSTACK_PID=""; SERVICE_PID=""
cleanup() {
  [[ -n "$SERVICE_PID" ]] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null || true
  [[ -n "$DEVSTACK_PID" ]] && kill "$DEVSTACK_PID" 2>/dev/null && wait "$DEVSTACK_PID" 2>/dev/null || true
  SERVICE_PID=""; DEVSTACK_PID=""
}
trap 'cleanup; rm -rf "$WORK"' EXIT

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a process, in clock ticks (1/100 s)
threads() { # "name ticks" per thread of a process (digits stripped from the name, so pools fold into one line)
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr -d '0-9 ' < "$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"
  done 2>/dev/null
}
tree_cpu() { # user + system ticks of processes and their descendants (and of their waited-for children)
  local p; for p in $(ps -e -o pid=,ppid= | awk -v roots=" $* " '{ parent[$1] = $2 } END {
      for (p in parent) { q = p; while (q != "" && index(roots, " " q " ") == 0 && q != 1 && q != 0) q = parent[q]
                          if (index(roots, " " q " ") > 0) print p } }'); do
    sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}'
  done | awk '{ s += $1 } END { print s + 0 }'
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

turn() { # APP LABEL
  local app="$1" label="$2" data="$WORK/data-$RANDOM"
  "$JAVA" -Xmx1g -cp "$ROOT/devstack/target/devstack-0.1.0-SNAPSHOT.jar:$ROOT/devstack/target/lib/*" \
    dev.tdlab.devstack.DevStack --data "$data" --kafka-port 0 --pg-port 0 > "$WORK/devstack.log" 2>&1 &
  DEVSTACK_PID=$!
  for _ in $(seq 240); do [[ -f "$data/devstack.ready" ]] && break; sleep 0.5; done
  [[ -f "$data/devstack.ready" ]] || { tail -20 "$WORK/devstack.log" >&2; exit 1; }
  local port; port="$(free_port)"
  TDLAB_KAFKA="$(sed -n 's/^kafka=//p' "$data/devstack.ready")" TDLAB_JDBC_URL="$(sed -n 's/^jdbc=//p' "$data/devstack.ready")" \
  TDLAB_ADMIN_TOKEN="$TOKEN" "$JAVA" -Xmx512m ${SERVICE_OPTS:-} -Dquarkus.http.port="$port" -jar "$app/quarkus-run.jar" > "${SERVICE_LOG:-$WORK/analysis.log}" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 240); do curl -fs "http://localhost:$port/q/health/ready" > /dev/null && break; sleep 0.5; done
  curl -fs "http://localhost:$port/q/health/ready" > /dev/null || { tail -30 "$WORK/analysis.log" >&2; exit 1; }
  echo "load average before the turn: $(cut -d' ' -f1-3 /proc/loadavg)"
  local cpu0; cpu0="$(cpu "$SERVICE_PID")"
  local postmaster; postmaster="$(pgrep -f -- "-D $data/postgres/pgdata" | head -1)" # pg_ctl detached it from devstack
  local stack0; stack0="$(tree_cpu "$DEVSTACK_PID" $postmaster)"
  threads "$SERVICE_PID" > "$WORK/threads0"
  "$JAVA" "$ROOT/bench/load/SubmitLoadBench.java" "http://localhost:$port" "$TOKEN" "$label" "$BURSTS" "$CONCURRENCY" "$WARMUP"
  local cpu1; cpu1="$(cpu "$SERVICE_PID")"
  local stack1; stack1="$(tree_cpu "$DEVSTACK_PID" $postmaster)"
  threads "$SERVICE_PID" > "$WORK/threads1"
  local n=$(( (BURSTS + WARMUP + 1) * CONCURRENCY ))
  # the JIT compiler's share (C1/C2 threads) shrinks as the service warms up: the rest is the steady-state cost
  local jit; jit="$(awk 'NR == FNR { if ($1 ~ /^C.?CompilerThre/) a += $2; next } $1 ~ /^C.?CompilerThre/ { b += $2 } END { print b - a }' \
    "$WORK/threads0" "$WORK/threads1")"
  awk -v t=$(( (cpu1 - cpu0) * 10 )) -v j=$(( jit * 10 )) -v s=$(( (stack1 - stack0) * 10 )) -v n="$n" 'BEGIN {
    printf "analysis-service CPU time during the bench: %d ms for %d submissions (%.1f ms each, with the relay and the scheduler);\n", t, n, t / n
    printf "without the JIT compiler threads: %d ms (%.1f ms each)\n", t - j, (t - j) / n
    printf "Kafka and PostgreSQL (devstack) CPU time during the bench: %d ms (%.1f ms each)\n", s, s / n }'
  if [[ -n "${THREADS:-}" ]]; then # the service's CPU during the bench by thread (group), ms
    echo "service CPU by thread during the bench (ms):"
    awk 'NR == FNR { a[$1] += $2; next } { b[$1] += $2 } END { for (k in b) if (b[k] - a[k] > 0) printf "  %6d %s\n", (b[k] - a[k]) * 10, k }' \
      "$WORK/threads0" "$WORK/threads1" | sort -rn
  fi
  echo "load average after the turn: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  cleanup
}

echo "## Submission bursts, $(date -u '+%F %H:%M UTC'), $(nproc) cores, $("$JAVA" -version 2>&1 | head -1)"
echo
for r in $(seq "$ROUNDS"); do
  for v in "$@"; do
    app="${v%%=*}"; label="${v#*=}"; [[ "$label" == "$v" ]] && label="$(basename "$(dirname "$app")")"
    echo "round $r"
    turn "$app" "$label"
  done
done
