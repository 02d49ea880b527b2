// The play page's one entry module: builds the env and the Game, then hands them to
// each feature. Features talk to each other only through the Game's events (play.js);
// the URL is read and written by url_state.js, keys go through one dispatcher (keys.js).
// Generic: the env comes from the page's config (its manifest entry).
//
// window.shiftplay is the test hook (tests/web, ../shared/tools/page_timing.py): this
// page object, with game (frames, policy.name, ...), env, config, the features' handles
// and state(); 'shiftplay:ready' is dispatched on document once the game runs.
import { loadEnv, Game, ShiftInput } from './play.js';
import { preflight, problem, mark, timings, watchUnhandled, showPage } from './fallbacks.js';
import { readUrl } from './url_state.js';
import { Keys } from './keys.js';
import { initPanel } from './panel.js';
import { initControls } from './controls.js';
import { initPolicyView } from './policy_view.js';
import { initEyeView } from './eye_view.js';
import { initTouch } from './touch.js';
import { initScoreboard } from './scoreboard.js';
import { initHelp } from './help.js';
import { initVersus, versusSpec, versusParams } from './versus.js';
import { startModel } from './onnx_policy.js';
// The trained model, already downloading and starting in its worker (model_start.js).
import { early, firstFrameShown } from './model_start.js';

const $ = (id) => document.getElementById(id);
const config = JSON.parse($('play-config').textContent);
const canvas = $('game-canvas');
const overlay = $('overlay');
const url = readUrl();

// The model's worker (model_start.js) needs this thread for a moment to start; the env's
// start then holds the thread until the first frame (seconds, under software GL on a
// busy machine), and a worker not started by then starts only after it. So the env waits
// for the worker's first word, at most WORKER_START_MS.
const WORKER_START_MS = 250;

function workerStarted(early) {
  return Promise.race([early.started, new Promise((resolve) => setTimeout(resolve, WORKER_START_MS))]);
}

// The env starts once the page has loaded (its stylesheets and modules; the env's files
// are preloaded, which does not hold the load event back). While a page is loading the
// browser animates its loading indicator, and under software GL every frame of it is a
// full-window composite and readback in the GPU process, queued before the game's
// WebGL calls: started earlier, the env's own script kept the page loading until after
// its first frame (here about 9 more of those composites before that frame).
function pageLoaded() {
  if (document.readyState === 'complete') return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
}

function showFailure(message) {
  overlay.classList.remove('hidden');
  overlay.classList.add('error');
  overlay.textContent = '';
  const span = document.createElement('span');
  span.textContent = message;
  overlay.appendChild(span);
}

function fail(message, error) {
  showFailure(problem(message, error, { key: 'game', kind: 'error' }));
}

// ?mode=versus: the env's versus info (versus.js), or null (also for an env without it).
function versusOf(url, spec) {
  if (url.mode !== 'versus') return null;
  const vs = versusSpec(spec);
  if (!vs) console.warn(`[shiftplay] ?mode=versus: ${spec.name} has no versus play; the bot plays as usual`);
  return vs;
}

// The agent the human takes over (?side=, once the env exists), else agent 0.
function sideOf(url, env) {
  if (url.side === null) return 0;
  if (url.side < env.numAgents) return url.side;
  console.warn(`[shiftplay] ?side=${url.side}: ${env.spec.name} has ${env.numAgents} agent(s); playing agent 0`);
  return 0;
}

// Speed and mode from the URL, once, before any frame or view.
function applyUrl(game, url) {
  if (url.speed !== null) game.speed = url.speed;
  if (url.mode !== null && url.mode !== 'versus') game.policyMode = url.mode;
}

function state(page) {
  const { env, game } = page;
  const s = env.agentStats(game.humanAgent);
  return {
    control: game.humanActive ? 'YOU' : 'BOT',
    shown: $('control').textContent,
    episode: s.episodes + 1,
    steps: s.episodeLength,
    lastLength: s.lastLength,
    totalSteps: game.totalSteps,
    frames: game.frames,
    paused: game.paused,
    speed: game.speed,
    seed: game.seed,
    humanSteps: game.humanSteps,
    score: s.episodeReturn,
    obs: Array.from(env.agentObs(game.humanAgent)),
    actions: Array.from(env.actions),
    split: Object.assign({}, game.split),
  };
}

async function main() {
  watchUnhandled();
  const missing = preflight();
  if (missing.includes('no-wasm')) {
    showFailure('Could not start the game: this browser cannot run WebAssembly.');
    return;
  }
  canvas.addEventListener('mousedown', () => canvas.focus());
  canvas.addEventListener('click', () => canvas.focus());
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());

  if (early) await workerStarted(early);
  await pageLoaded();
  mark('envStart');
  const env = await loadEnv(config.entry, { canvas });
  const seed = url.seed !== null ? url.seed : Math.floor(Math.random() * 2 ** 31);
  const versus = versusOf(url, config.entry.spec);
  env.create(seed, versus ? versusParams(config.entry.spec) : undefined);
  env.renderInit();
  const game = new Game(env, { input: new ShiftInput(window), humanAgent: sideOf(url, env), versus: !!versus });
  applyUrl(game, url);
  game.on('error', (e) => fail('The game stopped.', e));

  const page = {
    config, env, game, url, canvas, timings, versusSpec: versus,
    keys: new Keys(window),
    model: null,
    get policyStatus() { return game.policyStatus; },
    state: () => state(page),
  };
  page.panel = initPanel(page);
  game.reset(seed);
  game.start();
  // The game draws its first frame in this next animation frame; the page's text and
  // panels (held back until then, play.html) and the model's main-thread fallback follow.
  requestAnimationFrame(() => setTimeout(() => {
    showPage();
    firstFrameShown();
  }, 0));
  overlay.classList.add('hidden');
  canvas.focus({ preventScroll: true });

  page.controls = initControls(page);
  page.policyView = initPolicyView(page);
  page.eye = initEyeView(page);
  page.touch = initTouch(page);
  page.scores = initScoreboard(page);
  page.help = initHelp(page);
  page.versus = initVersus(page);
  window.shiftplay = page;
  mark('firstFrame');
  document.dispatchEvent(new CustomEvent('shiftplay:ready', { detail: page }));
  startModel(page, early);
}

// play.html loads this module only for a built env (config.entry).
main().catch((e) => fail('Could not start the game.', e));
