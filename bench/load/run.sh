#!/usr/bin/env bash
# Submission latency under a burst: starts Kafka + PostgreSQL (devstack, free ports, a fresh data dir) and one
# analysis-service per QUARKUS_APP directory given, then runs SubmitLoadBench against it; the variants take turns
# (ROUNDS times each, each turn on a fresh stack) so that load from other processes hits them alike.
#
#   bench/load/run.sh [QUARKUS_APP_DIR[=LABEL] ...]     default: analysis-service/target/quarkus-app=current
#
# Knobs (environment): ROUNDS (turns per variant, default 2), BURSTS (measured bursts per turn, 5), CONCURRENCY (50),
# WARMUP (bursts before measuring, 20: a fresh JVM interprets and JIT-compiles the path for hundreds of submissions;
# the warm-up rows are printed, not counted), JAVA (default: java on PATH), SERVICE_OPTS (JVM options of the service,
# e.g. a JFR recording), THREADS (non-empty: also print the service's CPU time by thread). Needs the devstack module packaged
# (./mvnw -o -pl analysis-service,devstack -am package -DskipTests).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAVA="${JAVA:-java}"
ROUNDS="${ROUNDS:-2}"; BURSTS="${BURSTS:-5}"; CONCURRENCY="${CONCURRENCY:-50}"; WARMUP="${WARMUP:-20}"
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

threads() { # "name ticks" per thread of a process (digits stripped from the name, so pools fold into one line)
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr -d '0-9 ' < "$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"
  done 2>/dev/null
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
  local postmaster; postmaster="$(pgrep -f -- "-D $data/postgres/pgdata" | head -1 || true)" # pg_ctl detached it
  threads "$SERVICE_PID" > "$WORK/threads0"
  # the bench reads the CPU time of the service and of Kafka + PostgreSQL over its measured bursts (/proc)
  SERVICE_PID="$SERVICE_PID" STACK_PIDS="$DEVSTACK_PID $postmaster" \
    "$JAVA" "$ROOT/bench/load/SubmitLoadBench.java" "http://localhost:$port" "$TOKEN" "$label" "$BURSTS" "$CONCURRENCY" "$WARMUP"
  threads "$SERVICE_PID" > "$WORK/threads1"
  if [[ -n "${THREADS:-}" ]]; then # the service's CPU during the bench by thread (group), ms
    echo "service CPU by thread during the whole bench, warm-up included (ms):"
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
