#!/usr/bin/env bash
# Offline validation of the deployment artifacts in Compose/ (no Docker engine, no cluster):
#   1. compose.yaml is a valid Compose file      (docker-compose v1 or the docker compose plugin)
#   2. the container entry point parses           (sh -n)
#   3. the Kustomize overlay renders              (kubectl kustomize)
#   4. built-in Kubernetes kinds match the API    (kubernetes-validate --strict)
#   5. KEDA ScaledObjects match Compose/schemas/keda-scaledobject.schema.json (python jsonschema)
# The catalog-level rules (executables, roles, topics, partitions, groups, grace, probes) are
# checked by `swift test --filter DeploymentTests`.
# Needs: docker-compose (Debian package), kubectl, pip install kubernetes-validate.
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

step "compose: Compose/compose.yaml"
if command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
else
    echo "docker-compose not found (apt-get install -y docker-compose)" >&2
    exit 2
fi
if "${compose[@]}" -f Compose/compose.yaml config -q; then echo "ok"; else fail "compose.yaml"; fi

step "entry point: Compose/docker-entrypoint.sh"
if sh -n Compose/docker-entrypoint.sh; then echo "ok"; else fail "docker-entrypoint.sh"; fi

step "kustomize: Compose/k8s"
rendered="$(mktemp -d)"
trap 'rm -rf "$rendered"' EXIT
if ! command -v kubectl >/dev/null 2>&1; then
    echo "kubectl not found" >&2
    exit 2
fi
if kubectl kustomize Compose/k8s >"$rendered/all.yaml"; then
    echo "ok: $(grep -c '^kind:' "$rendered/all.yaml") resources"
else
    fail "kubectl kustomize Compose/k8s"
fi

step "kubernetes-validate --strict (built-in kinds)"
if ! command -v kubernetes-validate >/dev/null 2>&1; then
    echo "kubernetes-validate not found (pip install kubernetes-validate)" >&2
    exit 2
fi
# Split the rendered stream: built-in kinds to kubernetes-validate, ScaledObjects to the schema.
python3 - "$rendered" <<'PY'
import sys, yaml, os
out = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open(os.path.join(out, "all.yaml"))) if d]
builtin = [d for d in docs if not d["apiVersion"].startswith("keda.sh/")]
keda = [d for d in docs if d["apiVersion"].startswith("keda.sh/")]
yaml.safe_dump_all(builtin, open(os.path.join(out, "builtin.yaml"), "w"))
yaml.safe_dump_all(keda, open(os.path.join(out, "keda.yaml"), "w"))
print(f"{len(builtin)} built-in, {len(keda)} KEDA")
PY
if kubernetes-validate --strict --quiet "$rendered/builtin.yaml" Compose/k8s/namespace.yaml Compose/k8s/configmap.yaml Compose/k8s/roles/*.yaml; then
    echo "ok"
else
    fail "kubernetes-validate"
fi

step "KEDA ScaledObjects against Compose/schemas/keda-scaledobject.schema.json"
if python3 - "$rendered/keda.yaml" Compose/schemas/keda-scaledobject.schema.json <<'PY'
import json, sys, yaml
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[2]))
validator = Draft202012Validator(schema)
bad = 0
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for doc in docs:
    name = doc.get("metadata", {}).get("name", "?")
    for error in sorted(validator.iter_errors(doc), key=str):
        path = ".".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"ScaledObject {name}: {path}: {error.message}", file=sys.stderr)
        bad += 1
if not docs:
    print("no ScaledObjects rendered", file=sys.stderr)
    bad += 1
print(f"{len(docs)} ScaledObjects checked")
sys.exit(1 if bad else 0)
PY
then echo "ok"; else fail "ScaledObject schema"; fi

if [ "$failures" -gt 0 ]; then
    echo "validate-deploy: $failures check(s) failed" >&2
    exit 1
fi
echo "validate-deploy: all checks passed"
