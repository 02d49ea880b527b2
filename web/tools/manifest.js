// Prints web/build/manifest.json: every env built in the build folder, with its spec
// (asked from the module itself: sp_spec_json) and the sizes of its files.
// Usage: node --no-experimental-fetch web/tools/manifest.js web/build "raylib 3.5" "emcc ..." ENV...
// ENV...: the envs that exist (build_web.sh passes envs/discover.py's list).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { loadModule } = require('./load_module');

function sizeOf(file) {
  return fs.existsSync(file) ? fs.statSync(file).size : null;
}

function sizes(file) {
  return { raw: sizeOf(file), gzip: sizeOf(file + '.gz'), br: sizeOf(file + '.br') };
}

async function main() {
  const [buildDir, raylib, emcc, ...existing] = process.argv.slice(2);
  const names = existing
    .filter((n) => fs.existsSync(path.join(buildDir, n + '.wasm')))
    .filter((n) => fs.existsSync(path.join(buildDir, n + '.js')))
    .sort();
  const envs = {};
  for (const name of names) {
    const js = path.join(buildDir, name + '.js');
    const wasm = path.join(buildDir, name + '.wasm');
    const mod = await loadModule(js);
    const spec = JSON.parse(mod.UTF8ToString(mod._sp_spec_json()));
    const hash = crypto.createHash('sha256');
    hash.update(fs.readFileSync(js));
    hash.update(fs.readFileSync(wasm));
    const s = { js: sizes(js), wasm: sizes(wasm) };
    s.total = {};
    for (const k of ['raw', 'gzip', 'br']) s.total[k] = s.js[k] + s.wasm[k];
    envs[name] = {
      name,
      title: spec.title,
      description: spec.description,
      controls: spec.controls,
      export_name: 'ShiftPlay_' + name,
      js: name + '.js',
      wasm: name + '.wasm',
      version: hash.digest('hex').slice(0, 16),
      sizes: s,
      spec,
    };
  }
  const manifest = { generator: 'build_web.sh', raylib, emcc, envs };
  process.stdout.write(JSON.stringify(manifest, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
