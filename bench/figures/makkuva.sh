#!/usr/bin/env bash
# The Makkuva et al. reproduction, end to end, on the running stack (./lab up): submits the local-to-global template
# with the study's overrides (bench/figures/makkuva-study.json: 6 informative cells x 8 seeds x base/good), waits for
# it, saves the experiment view and every run's metrics, and renders the figures and the table into
# docs/reproductions/makkuva/ with bench/figures (XChart, PNG).
#
#   bench/figures/makkuva.sh                 # submit the study, wait, render
#   bench/figures/makkuva.sh EXPERIMENT_ID   # render an experiment that exists (e.g. after `tdlab rerun`)
#   OVERRIDES=file.json bench/figures/makkuva.sh   # another size, e.g. {"scale": "paper"} for the paper's
#
# Ports and token as ./lab: TDLAB_ANALYSIS_PORT (8080), .lab/token or TDLAB_TOKEN. OUT (docs/reproductions/makkuva).
set -euo pipefail
cd "$(dirname "$0")/../.."
API="http://localhost:${TDLAB_ANALYSIS_PORT:-8080}/api/v1"
TOKEN="${TDLAB_TOKEN:-$(cat .lab/token)}"
OUT="${OUT:-docs/reproductions/makkuva}"
OVERRIDES="${OVERRIDES:-bench/figures/makkuva-study.json}"
get() { curl -fsS -H "Authorization: Bearer $TOKEN" "$API$1"; }
id="${1:-}"
if [[ -z "$id" ]]; then
  id="$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary "@$OVERRIDES" \
        "$API/experiments?template=local-to-global" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  echo "submitted $id"
fi
while :; do
  st="$(get "/experiments/$id" | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["status"], sum(r["verdict"] is not None for r in e["runs"]), len(e["runs"]))')"
  echo "$(date +%T) $st"
  [[ "$st" == FINISHED* || "$st" == FAILED* || "$st" == CANCELLED* ]] && break
  sleep 30
done
DATA=".lab/figures/$id"
mkdir -p "$DATA/metrics"
get "/experiments/$id" > "$DATA/experiment.json"
for run in $(python3 -c 'import json,sys; [print(r["id"]) for r in json.load(open(sys.argv[1]))["runs"]]' "$DATA/experiment.json"); do
  get "/runs/$run/metrics?names=eval_loss,eval_exact_loss,eval_excess,eval_exact_optimum,eval_loss_stderr,eval_exact_loss_stderr,eval_excess_stderr" \
    > "$DATA/metrics/$run.json" || true
done
./mvnw -q -f bench/figures/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
java -Djava.awt.headless=true -cp "bench/figures/target/classes:$(cat bench/figures/target/cp.txt)" \
  dev.tdlab.figures.MakkuvaFigures "$DATA" "$OUT"
