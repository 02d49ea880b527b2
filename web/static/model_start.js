// The play page's trained model, started as early as the page allows. Its worker
// (onnx_worker.js) downloads onnxruntime-web and the model and starts the session while
// the main thread starts the env. play.html's <head> creates the worker, its job in its
// URL, while the page parses (#model-boot): a worker created later, from a module, or one
// sent its job in a message, starts on it only once the main thread is free again, which
// under software GL is after the env's first frame. This module (an async module script
// in <head>: it runs as soon as its imports are in) adopts that worker (or starts one)
// and follows its progress; play_page.js imports the same module instance and hands
// `early` to startModel().
import { prefetchModel } from './onnx_policy.js';
import { hasWebAssembly } from './fallbacks.js';
import { readUrl } from './url_state.js';

// Resolved by play_page.js once the game's first frame is on screen: only where no worker
// can run does the session start on the main thread, and then after that frame.
let shown = null;
const firstFrame = new Promise((resolve) => { shown = resolve; });
export function firstFrameShown() {
  shown();
}

const node = document.getElementById('play-config');
const config = node ? JSON.parse(node.textContent) : {};
// {prepared, started, progress, onProgress} (onnx_policy.js prefetchModel), or null: no
// model, no WebAssembly, or ?policy=baseline.
const boot = document.getElementById('model-boot');
export const early = hasWebAssembly()
  ? prefetchModel(config.policy, readUrl(), firstFrame, (boot && boot.worker) || null) : null;
