#!/usr/bin/env bash
# The whole test suite: build the shared core, type-check every workspace, then run every
# vitest project. PostgreSQL-backed tests run too when TEST_DATABASE_URL is set (CI sets it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run build -w @aleflix/core
npm run typecheck -w @aleflix/core
npm run build -w @aleflix/workers
npm run typecheck -w @aleflix/workers
npm run build -w @aleflix/api && npm run typecheck -w @aleflix/api
npm run build -w @aleflix/sdk && npm run typecheck -w @aleflix/sdk
npm run build -w @aleflix/cli && npm run typecheck -w @aleflix/cli
npm run build -w @aleflix/web && npm run typecheck -w @aleflix/web
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json "$@" || status=$?
# One plain closing line that any CI can read.
node -e 'const r = JSON.parse(require("fs").readFileSync(".vitest-results.json", "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' || true
exit "$status"
