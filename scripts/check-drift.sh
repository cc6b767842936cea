#!/usr/bin/env bash
# Fails when generated artefacts differ from what is committed: openapi.yaml must be exactly
# what the code generates, and it must pass Redocly's recommended rules.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
generated="$(mktemp --suffix=.yaml)"
sdk_generated="$(mktemp -d)"
trap 'rm -rf "$generated" "$sdk_generated"' EXIT
npm run build -w @aleflix/core >/dev/null
npm run build -w @aleflix/workers >/dev/null
npm run build -w @aleflix/api >/dev/null
node api/dist/openapi/generate-openapi.js "$generated"
if ! diff -u openapi.yaml "$generated"; then
  echo "openapi.yaml is out of date: run 'npm run openapi' and commit the result." >&2
  exit 1
fi
echo "openapi.yaml matches the code."
# The SDK's types are generated from openapi.yaml (openapi-typescript, pinned) and committed.
node sdk/scripts/generate.mjs "$sdk_generated" >/dev/null
if ! diff -ru sdk/src/generated "$sdk_generated"; then
  echo "sdk/src/generated is out of date: run 'npm run generate -w @aleflix/sdk' and commit the result." >&2
  exit 1
fi
echo "sdk/src/generated matches openapi.yaml."
npx redocly lint openapi.yaml --format=stylish
