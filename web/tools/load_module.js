// Loads web/build/<env>.js in node, without a canvas (the env runs, rendering does not).
// Used by the manifest writer, the parity harness and the benchmark.
'use strict';
const fs = require('fs');
const path = require('path');

// Resolves to the instantiated Emscripten module of the env built at `jsPath`.
function loadModule(jsPath) {
  const abs = path.resolve(jsPath);
  const factory = require(abs);
  const wasmBinary = fs.readFileSync(abs.replace(/\.js$/, '.wasm'));
  return factory({
    wasmBinary,
    print: (s) => process.stderr.write(s + '\n'),
    printErr: (s) => process.stderr.write(s + '\n'),
  });
}

module.exports = { loadModule };
