#!/usr/bin/env bash
# Regenerates the protobuf-c code for Proto/*.proto into Sources/CMeshProto.
# `--check` regenerates into a temporary folder and fails if the committed files differ.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Sources/CMeshProto"
mode=${1:-write}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
protoc-c --c_out="$tmp" -I"$root/Proto" "$root"/Proto/*.proto
for c in "$tmp"/*.pb-c.c; do
  name=$(basename "$c" .c)
  if [ "$mode" = "--check" ]; then
    if ! cmp -s "$c" "$out/$name.c" || ! cmp -s "$tmp/$name.h" "$out/include/$name.h"; then
      echo "error: $out/$name.{c,h} is stale: Proto/ changed without 'make proto'" >&2
      exit 1
    fi
  else
    cp "$c" "$out/$name.c"
    cp "$tmp/$name.h" "$out/include/$name.h"
  fi
done
[ "$mode" = "--check" ] && echo "protobuf-c output is current" || echo "regenerated protobuf-c output in $out"
