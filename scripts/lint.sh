#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx prettier --check .
npx eslint --max-warnings 0 .
