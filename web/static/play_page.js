// The play page's one entry module: builds the env and the Game, then hands them to
// each feature. Features talk to each other only through the Game's events (play.js);
// the URL is read and written by url_state.js, keys go through one dispatcher (keys.js).
// Generic: the env comes from the page's config (its manifest entry).
//
// window.shiftplay is the test hook (tests/web, ../shared/tools/page_timing.py): this
// page object, with game (frames, policy.name, ...), env, config, the features' handles
// and state(); 'shiftplay:ready' is dispatched on document once the game runs.
import { loadEnv, Game, ShiftInput } from './play.js';
import { hasWebAssembly, preflight, problem, mark, timings, watchUnhandled } from './fallbacks.js';
import { readUrl } from './url_state.js';
import { Keys } from './keys.js';
import { initPanel } from './panel.js';
import { initControls } from './controls.js';
import { initPolicyView } from './policy_view.js';
import { initEyeView } from './eye_view.js';
import { initTouch } from './touch.js';
import { initScoreboard } from './scoreboard.js';
import { initHelp } from './help.js';
import { prefetchModel, startModel } from './onnx_policy.js';

const $ = (id) => document.getElementById(id);
const config = JSON.parse($('play-config').textContent);
const canvas = $('game-canvas');
const overlay = $('overlay');
const url = readUrl();
// The trained model downloads in parallel with the env, from the start, and starts up
// once the game's first frame is on screen.
let firstFrameShown = null;
const firstFrame = new Promise((resolve) => { firstFrameShown = resolve; });
const early = hasWebAssembly() ? prefetchModel(config.policy, url, firstFrame) : null;

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
  if (url.mode !== null) game.policyMode = url.mode;
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

  const env = await loadEnv(config.entry, { canvas });
  const seed = url.seed !== null ? url.seed : Math.floor(Math.random() * 2 ** 31);
  env.create(seed);
  env.renderInit();
  const game = new Game(env, { input: new ShiftInput(window), humanAgent: sideOf(url, env) });
  applyUrl(game, url);
  game.on('error', (e) => fail('The game stopped.', e));

  const page = {
    config, env, game, url, canvas, timings,
    keys: new Keys(window),
    model: null,
    get policyStatus() { return game.policyStatus; },
    state: () => state(page),
  };
  page.panel = initPanel(page);
  game.reset(seed);
  game.start();
  requestAnimationFrame(() => setTimeout(firstFrameShown, 0));
  overlay.classList.add('hidden');
  canvas.focus({ preventScroll: true });

  page.controls = initControls(page);
  page.policyView = initPolicyView(page);
  page.eye = initEyeView(page);
  page.touch = initTouch(page);
  page.scores = initScoreboard(page);
  page.help = initHelp(page);
  window.shiftplay = page;
  mark('firstFrame');
  document.dispatchEvent(new CustomEvent('shiftplay:ready', { detail: page }));
  startModel(page, early);
}

// play.html loads this module only for a built env (config.entry).
main().catch((e) => fail('Could not start the game.', e));
