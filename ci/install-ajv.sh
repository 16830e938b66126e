#!/usr/bin/env bash
# Installs ajv-cli 5 and ajv-formats 3 with npm into PREFIX (keep it outside
# the repository: node_modules is never committed) and prints the ajv path.
# The report schema tests use it through SFMC_AJV (see .ci/run). Also
# kubernetes-models 4 (the Kubernetes API's schemas, with ajv), with which the
# audit template test validates the Kubernetes manifests offline.
set -euo pipefail
prefix=${1:?usage: ci/install-ajv.sh PREFIX}
ajv="$prefix/node_modules/.bin/ajv"
if [ ! -x "$ajv" ] || [ ! -f "$prefix/node_modules/ajv-formats/package.json" ] ||
	[ ! -f "$prefix/node_modules/kubernetes-models/package.json" ]; then
	mkdir -p "$prefix"
	npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error ajv-cli@5 ajv-formats@3 kubernetes-models@4 >&2
fi
"$ajv" help >/dev/null
echo "$ajv"
