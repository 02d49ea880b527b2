// The play page's onnxruntime-web session, in a dedicated worker (onnx_policy.js
// prepareInWorker): the downloads, the runtime's compile, the session's start and every
// step run here, off the page's main thread.
//
// Its job is in its own URL's fragment (onnx_policy.js workerUrl):
//   #<encodeURIComponent(JSON {cfg, base})>: the page's config.policy, its URLs relative
//   to `base` (the page's base URL). The worker starts on it at once: a message from the
//   page would wait for the page's main thread, which is busy starting the page and the
//   env (under software GL it held the model back until the env's first frame).
// Messages in:  {type: 'run', id, feeds}  feeds: {input name: {type, data, dims}}.
// Messages out: {type: 'started'}  first of all, before this worker's modules load (the
//               page lets the worker start before the env takes its main thread);
//               {type: 'progress', progress}  as prepareOnnx reports it;
//               {type: 'ready', meta, inputNames, outputNames, inputMetadata, marks};
//               {type: 'failed', message, detail}  the load failed (a PolicyLoadError's
//               text, or a URL without a readable job);
//               {type: 'unavailable', message}  this worker's own modules did not load;
//               {type: 'result', id, outputs | error}  outputs: {name: {type, data, dims}}.
postMessage({ type: 'started' });

const modules = Promise.all([import('./onnx_policy.js'), import('./fallbacks.js')]);
let prepared = null;

function describe(e) {
  return (e && e.message) ? e.message : String(e);
}

// The config's URLs made absolute: this worker's own URL is not the page's.
function absoluteConfig(cfg, base) {
  const out = Object.assign({}, cfg);
  for (const key of ['model', 'meta', 'ort_module', 'ort_wasm']) {
    if (typeof out[key] === 'string') out[key] = new URL(out[key], base).href;
  }
  return out;
}

async function load(cfg) {
  let prepareOnnx, timings;
  try {
    const [policyModule, fallbacks] = await modules;
    prepareOnnx = policyModule.prepareOnnx;
    timings = fallbacks.timings;
  } catch (e) {
    postMessage({ type: 'unavailable', message: describe(e) });
    return;
  }
  try {
    prepared = await prepareOnnx(cfg, (progress) => postMessage({ type: 'progress', progress }));
  } catch (e) {
    postMessage({ type: 'failed', message: describe(e), detail: (e && e.detail) || '' });
    return;
  }
  const session = prepared.session;
  const inputMetadata = (session.inputMetadata || []).map((m) => ({ isTensor: m.isTensor, type: m.type }));
  // The worker's marks (policyLoadStart, ortLoaded, modelLoaded) as wall-clock times.
  const marks = {};
  for (const name of Object.keys(timings)) marks[name] = performance.timeOrigin + timings[name];
  postMessage({ type: 'ready', meta: prepared.meta, inputNames: Array.from(session.inputNames),
    outputNames: Array.from(session.outputNames), inputMetadata, marks });
}

async function run(id, feeds) {
  if (!prepared) {
    postMessage({ type: 'result', id, error: 'the model is not loaded' });
    return;
  }
  const { ort, session } = prepared;
  try {
    const tensors = {};
    for (const name of Object.keys(feeds)) {
      const t = feeds[name];
      tensors[name] = new ort.Tensor(t.type, t.data, t.dims);
    }
    const out = await session.run(tensors);
    const outputs = {};
    for (const name of Object.keys(out)) {
      const t = out[name];
      outputs[name] = { type: t.type, data: t.data, dims: Array.from(t.dims) };
    }
    postMessage({ type: 'result', id, outputs });
  } catch (e) {
    postMessage({ type: 'result', id, error: describe(e) });
  }
}

// The job from this worker's URL fragment, or null when it has none or it cannot be read.
function jobFromUrl() {
  try {
    const job = JSON.parse(decodeURIComponent(self.location.hash.slice(1)));
    if (job && typeof job.cfg === 'object' && job.cfg && typeof job.base === 'string') return job;
  } catch (e) { /* reported below */ }
  return null;
}

self.onmessage = (event) => {
  const m = event.data || {};
  if (m.type === 'run') run(m.id, m.feeds);
};

const job = jobFromUrl();
if (job) {
  load(absoluteConfig(job.cfg, job.base));
} else {
  postMessage({ type: 'failed', message: "The model's worker was started without its job.",
    detail: `no readable job in the worker's URL fragment (${self.location.hash.length} characters)` });
}
