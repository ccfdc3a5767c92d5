#!/usr/bin/env bash
# Startup time and memory of data-gen-service and analysis-service, JVM (target/quarkus-app) against native
# (target/*-runner, built by -Pnative: scripts/native-image.sh build), on one devstack (Kafka + PostgreSQL on free
# ports). For each service and form, RUNS starts (default 3), one at a time: milliseconds from the process start to
# the first /q/health answering 200 (Kafka and the database connected, Flyway done), the resident set (VmRSS) then
# and after IDLE seconds (default 10), and the peak (VmHWM). A form that is not built is reported as such.
#
#   bench/native/startup.sh > bench/results/$(date +%F)-$(hostname)-native.md
#
# Needs the services packaged (./mvnw -pl data-gen-service,analysis-service -am package -DskipTests) and devstack
# (./mvnw -pl devstack package -DskipITs). Knobs: RUNS, IDLE, XMX (-Xmx of the JVM form, default 512m).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNS=${RUNS:-3}
IDLE=${IDLE:-10}
XMX=${XMX:-512m}
WORK=$ROOT/target/bench-native
rm -rf "$WORK"; mkdir -p "$WORK"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status"; }

java -cp "devstack/target/devstack-0.1.0-SNAPSHOT.jar:devstack/target/lib/*" dev.tdlab.devstack.DevStack \
  --data "$WORK/data" --kafka-port 0 --pg-port 0 > "$WORK/devstack.log" 2>&1 &
DEVSTACK=$!
trap 'kill -TERM $DEVSTACK 2>/dev/null; wait $DEVSTACK 2>/dev/null || true' EXIT
for _ in $(seq 120); do [[ -f $WORK/data/devstack.ready ]] && break; kill -0 $DEVSTACK || { cat "$WORK/devstack.log" >&2; exit 1; }; sleep 1; done
KAFKA=$(sed -n 's/^kafka=//p' "$WORK/data/devstack.ready")
JDBC=$(sed -n 's/^jdbc=//p' "$WORK/data/devstack.ready")

# one start: prints "ms rss_ready_kb rss_idle_kb hwm_kb", or "failed"
measure() {
  local port log pid t0 t1 code
  port=$(free_port); log=$WORK/$2-$1-$3.log
  t0=$(date +%s%N)
  if [[ $1 == jvm ]]; then
    TDLAB_KAFKA=$KAFKA TDLAB_JDBC_URL=$JDBC java -Xmx"$XMX" -Dquarkus.http.port="$port" \
      -jar "$2/target/quarkus-app/quarkus-run.jar" > "$log" 2>&1 &
  else
    TDLAB_KAFKA=$KAFKA TDLAB_JDBC_URL=$JDBC "$4" -Dquarkus.http.port="$port" > "$log" 2>&1 &
  fi
  pid=$!
  for _ in $(seq 1200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health" || true)
    [[ $code == 200 ]] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  t1=$(date +%s%N)
  if [[ $code != 200 ]]; then
    echo failed; kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; return
  fi
  local ready idle hwm
  ready=$(kb $pid VmRSS); sleep "$IDLE"; idle=$(kb $pid VmRSS); hwm=$(kb $pid VmHWM)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $ready $idle $hwm"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }

echo "# Startup and memory, JVM vs native: data-gen-service and analysis-service"
echo
echo "$(date -u +%F) on $(hostname), $(nproc) cores; $(java -version 2>&1 | head -1); devstack Kafka + PostgreSQL;"
echo "load average at the start $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates startup times);"
echo "JVM form with -Xmx$XMX; $RUNS starts each, one at a time; medians. Startup = process start to first /q/health 200."
echo
echo "| service | form | startup ms | RSS at ready MiB | RSS after ${IDLE}s MiB | peak RSS MiB | starts |"
echo "|---|---|---|---|---|---|---|"
for svc in data-gen-service analysis-service; do
  for form in jvm native; do
    runner=""
    if [[ $form == native ]]; then
      runner=$(ls "$svc"/target/*-runner 2>/dev/null | head -1 || true)
      if [[ -z $runner || ! -x $runner ]]; then
        echo "| $svc | native | not built (no $svc/target/*-runner) | | | | 0 |"
        continue
      fi
    fi
    : > "$WORK/samples"
    for i in $(seq "$RUNS"); do measure "$form" "$svc" "$i" "$runner" >> "$WORK/samples"; done
    ok=$(grep -vc failed "$WORK/samples" || true)
    col() { grep -v failed "$WORK/samples" | awk -v c="$1" '{print $c}' | median; }
    mib() { local v; v=$(col "$1"); [[ $v == - ]] && echo - || echo $(( v / 1024 )); }
    echo "| $svc | $form | $(col 1) | $(mib 2) | $(mib 3) | $(mib 4) | $ok of $RUNS |"
  done
done
