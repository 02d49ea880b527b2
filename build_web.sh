#!/usr/bin/env bash
# Builds the browser version of the envs: web/build/<env>.js + .wasm (+ .br/.gz) and
# web/build/manifest.json.
#
#   ./build_web.sh               every env that has envs/<name>/<name>_render.h
#   ./build_web.sh pong snake    only these
#
# Each env is its logic header + render header + the generic web/wasm_entry.c, linked
# against raylib built for PLATFORM_WEB. raylib 3.5 is fetched once with
# `npm pack raylib@0.8.1` into .cache/; RAYLIB_SRC=/path/to/raylib/src selects another
# raylib (e.g. 5.x). RAYLIB_TGZ=/path/to/raylib-0.8.1.tgz uses a tarball already here.
# Everything is skipped when up to date; FORCE=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

EMCC=${EMCC:-emcc}
EMAR=${EMAR:-emar}
OUT=web/build
CACHE=.cache
RAYLIB_NPM_VERSION=0.8.1   # the npm package `raylib` 0.8.1 vendors raylib 3.5's C source
OPT_FLAGS=(-O3 -ffp-contract=off)
RAYLIB_OPT_FLAGS=(-Os -ffp-contract=off)
# raylib features that cost size and make no sense on the page (F12 screenshots and GIF
# recording pull in PNG/GIF encoders and write to a file system we do not ship).
RAYLIB_DISABLED="SUPPORT_SCREEN_CAPTURE SUPPORT_GIF_RECORDING SUPPORT_COMPRESSION_API \
SUPPORT_DATA_STORAGE SUPPORT_IMAGE_EXPORT SUPPORT_GESTURES_SYSTEM SUPPORT_MOUSE_GESTURES \
SUPPORT_VR_SIMULATOR SUPPORT_CAMERA_SYSTEM SUPPORT_EVENTS_AUTOMATION"

log() { echo "[build_web] $*" >&2; }
# Any command that fails under `set -e` says which one it was (no silent exits).
set -E
trap 'echo "[build_web] error: line $LINENO: \`$BASH_COMMAND\` failed" >&2' ERR
die() { echo "[build_web] error: $*" >&2; exit 1; }

for tool in "$EMCC" "$EMAR" node gzip brotli; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian: emscripten, nodejs, gzip, brotli; \`make system\` installs them)"
done

hash_of() { sha256sum | cut -c1-16; }

# ---- raylib source -------------------------------------------------------------------
fetch_raylib() {
    local dest=$ROOT/$CACHE/raylib-3.5
    [ -f "$dest/src/raylib.h" ] && return 0
    mkdir -p "$CACHE"
    local tmp
    tmp=$(mktemp -d "$ROOT/$CACHE/raylib-fetch.XXXXXX")
    local tgz=${RAYLIB_TGZ:-}
    if [ -z "$tgz" ]; then
        command -v npm >/dev/null 2>&1 || die "npm not found (Debian: npm) to fetch raylib"
        log "fetching raylib 3.5 source (npm pack raylib@$RAYLIB_NPM_VERSION)"
        local attempt
        for attempt in 1 2 3; do
            (cd "$tmp" && npm pack "raylib@$RAYLIB_NPM_VERSION" >"$tmp/npm.log" 2>&1) && break
            log "npm pack failed (try $attempt of 3): $(tail -n 3 "$tmp/npm.log")"
            sleep 3
        done
        tgz=$(ls "$tmp"/raylib-*.tgz 2>/dev/null | sed -n 1p)
        [ -n "$tgz" ] || die "npm pack raylib@$RAYLIB_NPM_VERSION gave no tarball: $(tail -n 5 "$tmp/npm.log")"
    fi
    tar -xzf "$tgz" -C "$tmp" package/vendor/raylib/src || die "unexpected raylib tarball $tgz"
    rm -rf "$dest"
    mkdir -p "$dest"
    mv "$tmp/package/vendor/raylib/src" "$dest/src"
    rm -rf "$tmp"
}

if [ -n "${RAYLIB_SRC:-}" ]; then
    RAYLIB_SRC=$(cd "$RAYLIB_SRC" && pwd) || die "RAYLIB_SRC=$RAYLIB_SRC is not a directory"
else
    fetch_raylib
    RAYLIB_SRC=$ROOT/$CACHE/raylib-3.5/src
fi
[ -f "$RAYLIB_SRC/raylib.h" ] || die "no raylib.h in $RAYLIB_SRC"
RAYLIB_VERSION=$(cat "$RAYLIB_SRC/raylib.h" "$RAYLIB_SRC/config.h" 2>/dev/null | sed -n 's/^#define RAYLIB_VERSION[^"]*"\([^"]*\)".*/\1/p' | sed -n 1p)
RAYLIB_VERSION=${RAYLIB_VERSION:-unknown}
if [ -f "$RAYLIB_SRC/rcore.c" ]; then   # raylib >= 4
    RAYLIB_MODULES="rcore rshapes rtextures rtext utils"
else                                    # raylib 3.x
    RAYLIB_MODULES="core shapes textures text utils"
fi
EMCC_VERSION=$("$EMCC" --version 2>/dev/null | sed -n 1p)

# ---- libraylib.a for PLATFORM_WEB ----------------------------------------------------
RAYLIB_FLAGS=("${RAYLIB_OPT_FLAGS[@]}" -std=gnu99 -DPLATFORM_WEB -DGRAPHICS_API_OPENGL_ES2
              -w -DEXTERNAL_CONFIG_FLAGS)
RAYLIB_KEY=$( { echo "$RAYLIB_SRC $RAYLIB_VERSION $RAYLIB_MODULES $EMCC_VERSION";
                echo "${RAYLIB_FLAGS[*]} $RAYLIB_DISABLED"; } | hash_of)
RAYLIB_DIR=$ROOT/$CACHE/raylib-web/$RAYLIB_VERSION-$RAYLIB_KEY
RAYLIB_LIB=$RAYLIB_DIR/libraylib.a

raylib_up_to_date() {
    [ -f "$RAYLIB_LIB" ] || return 1
    [ -z "$(find "$RAYLIB_SRC" -maxdepth 1 \( -name '*.c' -o -name '*.h' \) -newer "$RAYLIB_LIB" -print -quit)" ]
}

build_raylib() {
    log "building raylib $RAYLIB_VERSION for the web ($RAYLIB_SRC)"
    rm -rf "$RAYLIB_DIR"
    mkdir -p "$RAYLIB_DIR"
    # Our config: the source's own config.h minus the features listed above.
    local pattern
    pattern=$(echo "$RAYLIB_DISABLED" | tr -s ' ' '|')
    sed -E "s@^([[:space:]]*#define[[:space:]]+($pattern)([[:space:]].*)?)\$@// web build, disabled: \\1@" \
        "$RAYLIB_SRC/config.h" > "$RAYLIB_DIR/config_web.h"
    local pids=() objs=() m
    for m in $RAYLIB_MODULES; do
        "$EMCC" "${RAYLIB_FLAGS[@]}" -include "$RAYLIB_DIR/config_web.h" -I"$RAYLIB_SRC" \
            -I"$RAYLIB_SRC/external/glfw/include" -c "$RAYLIB_SRC/$m.c" -o "$RAYLIB_DIR/$m.o" &
        pids+=($!)
        objs+=("$RAYLIB_DIR/$m.o")
        # two at a time: the machine is small
        if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || die "raylib: compiling failed"; pids=("${pids[@]:1}"); fi
    done
    for p in "${pids[@]}"; do wait "$p" || die "raylib: compiling failed"; done
    "$EMAR" rcs "$RAYLIB_LIB.tmp" "${objs[@]}"
    mv "$RAYLIB_LIB.tmp" "$RAYLIB_LIB"
    rm -f "${objs[@]}"
}

if raylib_up_to_date && [ -z "${FORCE:-}" ]; then
    log "raylib $RAYLIB_VERSION: up to date"
else
    build_raylib
fi

# ---- envs ----------------------------------------------------------------------------
# The envs: envs/discover.py's rule, the same as Python's envs.list().
ALL_ENVS=$(python3 envs/discover.py) || die "listing the envs failed"
if [ $# -gt 0 ]; then
    ENVS="$*"
    for name in $ENVS; do
        grep -qx -- "$name" <<<"$ALL_ENVS" || die "unknown env '$name'; envs: $(echo $ALL_ENVS)"
    done
else
    ENVS=$ALL_ENVS
fi
[ -n "$ENVS" ] || die "no env found under envs/"

mkdir -p "$OUT"

link_flags() {  # $1: export name
    echo -sUSE_GLFW=3 -sMODULARIZE=1 -sEXPORT_NAME="$1" -sENVIRONMENT=web,node \
        -sINITIAL_MEMORY=4MB -sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=256KB \
        -sFILESYSTEM=0 -sASSERTIONS=0 -sSAFE_HEAP=0 -sMIN_WEBGL_VERSION=1 -sMAX_WEBGL_VERSION=1 \
        -sEXPORTED_FUNCTIONS=_malloc,_free -sEXPORTED_RUNTIME_METHODS=UTF8ToString \
        -sINCOMING_MODULE_JS_API=canvas,locateFile,print,printErr,wasmBinary,onAbort \
        -sTEXTDECODER=2 -sSUPPORT_ERRNO=0 -sSUPPORT_LONGJMP=0 -g0 --post-js web/wasm_post.js
}

build_env() {
    local name=$1
    local export_name="ShiftPlay_$name"
    local flags=("${OPT_FLAGS[@]}" -std=gnu11 -Wall -Wno-unused-function
                 -Wno-missing-field-initializers -Werror=implicit-function-declaration
                 -Werror=incompatible-pointer-types -Werror=int-conversion -Ienvs -Iweb -I"$RAYLIB_SRC"
                 "-DENV_HEADER=\"$name/$name.h\"" "-DRENDER_HEADER=\"$name/${name}_render.h\"")
    local lflags
    lflags=$(link_flags "$export_name")
    local key
    key=$(echo "${flags[*]} $lflags $RAYLIB_KEY $EMCC_VERSION" | hash_of)
    local stamp="$OUT/.$name.stamp"
    if [ -z "${FORCE:-}" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] \
        && [ -f "$OUT/$name.js" ] && [ -f "$OUT/$name.wasm" ] && [ -f "$OUT/$name.wasm.br" ] \
        && [ -z "$(find envs/env.h "envs/$name" web/wasm_entry.c web/bench_loop.h web/wasm_post.js \
                    "$RAYLIB_LIB" build_web.sh -newer "$OUT/$name.wasm" \( -name '*.h' -o -name '*.c' \
                    -o -name '*.js' -o -name '*.a' -o -name '*.sh' \) -print -quit)" ]; then
        log "$name: up to date"
        return 0
    fi
    log "$name: compiling"
    local tmp
    tmp=$(mktemp -d "$ROOT/$OUT/.tmp-$name.XXXXXX")
    # shellcheck disable=SC2086
    "$EMCC" "${flags[@]}" web/wasm_entry.c "$RAYLIB_LIB" -o "$tmp/$name.js" $lflags \
        || { rm -rf "$tmp"; die "$name: emcc failed"; }
    local f
    chmod 644 "$tmp/$name.js" "$tmp/$name.wasm"
    for f in "$name.js" "$name.wasm"; do
        gzip -9 -n -c "$tmp/$f" > "$tmp/$f.gz"
        brotli -q 11 -f -o "$tmp/$f.br" "$tmp/$f"
    done
    touch "$tmp"/*.gz "$tmp"/*.br  # newer than what they compress (the server checks)
    for f in "$name.js" "$name.wasm" "$name.js.gz" "$name.js.br" "$name.wasm.gz" "$name.wasm.br"; do
        mv -f "$tmp/$f" "$OUT/$f"
    done
    rm -rf "$tmp"
    echo "$key" > "$stamp"
}

for name in $ENVS; do
    build_env "$name"
done

# ---- manifest ------------------------------------------------------------------------
# Every env built in web/build (not only those built now) that still exists;
# the spec comes from each module itself (sp_spec_json), sizes from the files.
# shellcheck disable=SC2086
node --no-experimental-fetch web/tools/manifest.js "$OUT" "raylib $RAYLIB_VERSION" "$EMCC_VERSION" \
    $ALL_ENVS > "$OUT/manifest.json.tmp" || die "writing the manifest failed"
mv "$OUT/manifest.json.tmp" "$OUT/manifest.json"
log "wrote $OUT/manifest.json"
node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1]));
for (const [n, e] of Object.entries(m.envs))
  console.error(`[build_web] ${n}: js+wasm ${e.sizes.total.raw} B raw, ${e.sizes.total.gzip} B gzip, ${e.sizes.total.br} B brotli`);
' "$OUT/manifest.json"

# ---- onnxruntime-web -----------------------------------------------------------------
# .br/.gz siblings of the ORT files the play page loads (web/node_modules: npm ci in web/).
web/tools/precompress_ort.sh
