#!/bin/sh
# As the official image's entrypoint: arguments that start with "-", or that are not a command on
# PATH, are arguments to node.
set -e
if [ "${1#-}" != "$1" ] || ! command -v -- "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
