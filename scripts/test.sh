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
npx vitest run "$@"
