#!/usr/bin/env bash
# Precompressed siblings (.br, .gz) of the onnxruntime-web files the play page loads, so
# server.py sends ~2.3 MB of brotli instead of the 14 MB wasm. Run by build_web.sh (make
# web) after `npm ci` in web/; skipped while the siblings are newer than their files.
#
#   web/tools/precompress_ort.sh        FORCE=1 redoes them
set -euo pipefail
cd "$(dirname "$0")/../.."
DIST=web/node_modules/onnxruntime-web/dist
FILES="ort.wasm.bundle.min.mjs ort-wasm-simd-threaded.wasm"

log() { echo "[precompress_ort] $*" >&2; }

if [ ! -d "$DIST" ]; then
    log "no $DIST (run: cd web && npm ci): skipping"
    exit 0
fi
for tool in gzip brotli; do
    command -v "$tool" >/dev/null 2>&1 || { log "error: $tool not found (Debian: $tool)"; exit 1; }
done

for f in $FILES; do
    src=$DIST/$f
    [ -f "$src" ] || { log "error: $src is missing (onnxruntime-web changed its files?)"; exit 1; }
    if [ -z "${FORCE:-}" ] && [ "$DIST/$f.br" -nt "$src" ] && [ "$DIST/$f.gz" -nt "$src" ]; then
        log "$f: up to date"
        continue
    fi
    log "$f: compressing ($(stat -c %s "$src") B; brotli -q 11 takes about a minute for the wasm)"
    gzip -9 -n -c "$src" > "$src.gz.tmp"
    brotli -q 11 -f -o "$src.br.tmp" "$src"
    mv -f "$src.gz.tmp" "$src.gz"
    mv -f "$src.br.tmp" "$src.br"
    touch "$src.gz" "$src.br"   # newer than what they compress (server.py checks)
    log "$f: $(stat -c %s "$src.br") B brotli, $(stat -c %s "$src.gz") B gzip"
done
