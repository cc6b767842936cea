#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH (see node24.sh). npm scripts use it so that
# `npm start` and `npm test` work on machines whose default Node is end-of-life.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/node24.sh"
exec "$@"
