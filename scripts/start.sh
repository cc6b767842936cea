#!/usr/bin/env bash
# `npm start`: builds every workspace the platform needs, then runs the API (with its
# embedded transcoding worker) and the web viewer together.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "Building AleFlix (core, workers, API, SDK, viewer)..."
npm run build --silent -w @aleflix/core
npm run build --silent -w @aleflix/workers
npm run build --silent -w @aleflix/api
npm run build --silent -w @aleflix/sdk
npm run build --silent -w @aleflix/web > /dev/null
exec node scripts/start.mjs
