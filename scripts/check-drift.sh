#!/usr/bin/env bash
# Fails when generated artefacts differ from what is committed: openapi.yaml must be exactly
# what the code generates, and it must pass Redocly's recommended rules.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
generated="$(mktemp --suffix=.yaml)"
trap 'rm -f "$generated"' EXIT
npm run build -w @aleflix/api >/dev/null
node api/dist/openapi/generate-openapi.js "$generated"
if ! diff -u openapi.yaml "$generated"; then
  echo "openapi.yaml is out of date: run 'npm run openapi' and commit the result." >&2
  exit 1
fi
echo "openapi.yaml matches the code."
npx redocly lint openapi.yaml --format=stylish
