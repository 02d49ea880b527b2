// Appended inside each env's Emscripten module (build_web.sh --post-js).
// raylib registers its web callbacks on the selector "#canvas"; point that at this
// module's own canvas, so the page (or several modules on one page) can use any id.
// The games take no mouse input: raylib's click-to-pointer-lock is switched off.
if (typeof document != 'undefined' && Module['canvas']) {
  specialHTMLTargets['#canvas'] = Module['canvas'];
  Module['canvas'].requestPointerLock = undefined;
}
