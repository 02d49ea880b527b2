// Play page: time control (pause, single step, speed 0.25x-8x, new game), seeds and
// shareable links, and their keys. Generic: nothing here names an env.
// The URL (url_state.js) follows the game's 'reset', 'speed' and 'mode' events, so it
// always links to what is on screen, whoever changed it.
//
// Keys: P pause/resume, N one step (pauses), R new game, [ / ] slower / faster, C copy link.
import { SPEEDS, parseSeed, parseSpeed, urlFor, writeUrl } from './url_state.js';

function nearestSpeedIndex(speed) {
  let best = 0;
  for (let i = 1; i < SPEEDS.length; i++) {
    if (Math.abs(Math.log(SPEEDS[i] / speed)) < Math.abs(Math.log(SPEEDS[best] / speed))) best = i;
  }
  return best;
}

function speedLabel(speed) {
  if (speed === 0.25) return '¼×';
  if (speed === 0.5) return '½×';
  return `${Math.round(speed * 100) / 100}×`;
}

// Copies text: the async Clipboard API where allowed, else a hidden textarea.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      // denied (no user gesture, permissions): try the fallback
    }
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.cssText = 'position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;';
  document.body.appendChild(ta);
  const focused = document.activeElement;
  ta.select();
  ta.setSelectionRange(0, text.length);
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch (e) {
    ok = false;
  }
  ta.remove();
  if (focused && focused.focus) focused.focus({ preventScroll: true });
  return ok;
}

function randomSeed() { return Math.floor(Math.random() * 2 ** 31); }

// A short message over the canvas.
function toaster(el) {
  let timer = 0;
  return (text) => {
    if (!el) return;
    el.textContent = text;
    el.classList.add('show');
    clearTimeout(timer);
    timer = setTimeout(() => el.classList.remove('show'), 1400);
  };
}

export function initControls(page) {
  const $ = (id) => document.getElementById(id);
  const { game, canvas, keys } = page;
  const speedInput = $('speed');
  const speedValue = $('speed-value');
  const pauseBtn = $('btn-pause');
  const seedInput = $('seed-input');
  const copyBtn = $('btn-copy-link');
  const badge = $('pause-badge');
  const say = toaster($('toast'));
  page.say = say;

  const refocus = (el) => {
    if (el && el.blur) el.blur();
    if (canvas) canvas.focus({ preventScroll: true });
  };

  // ---- the URL follows the game ----
  const urlState = () => ({ seed: game.seed, speed: game.speed, mode: game.policyMode });
  const syncUrl = () => writeUrl(urlState());
  const currentUrl = () => urlFor(urlState());

  // ---- speed ----
  function showSpeed() {
    const sps = game.speed * game.stepsPerSecond;
    speedValue.innerHTML = `${speedLabel(game.speed)} <small>${Math.round(sps * 10) / 10}/s</small>`;
    speedValue.title = `${Math.round(sps * 10) / 10} steps per second`;
    speedInput.value = String(nearestSpeedIndex(game.speed));
  }
  function setSpeed(speed) {
    const s = parseSpeed(speed);
    if (s !== null) game.speed = s;
  }
  function faster(dir) {
    const i = nearestSpeedIndex(game.speed);
    let j = i;
    if (dir > 0) j = SPEEDS[i] > game.speed ? i : Math.min(SPEEDS.length - 1, i + 1);
    else j = SPEEDS[i] < game.speed ? i : Math.max(0, i - 1);
    setSpeed(SPEEDS[j]);
    say(`Speed ${speedLabel(game.speed)}`);
  }
  speedInput.min = '0';
  speedInput.max = String(SPEEDS.length - 1);
  speedInput.step = '1';
  speedInput.addEventListener('input', () => setSpeed(SPEEDS[Number(speedInput.value)]));
  speedInput.addEventListener('change', () => refocus(speedInput));

  // ---- pause / step / new game ----
  function showPaused() {
    pauseBtn.textContent = game.paused ? 'Resume' : 'Pause';
    pauseBtn.setAttribute('aria-pressed', game.paused ? 'true' : 'false');
    badge.hidden = !game.paused;
    document.body.classList.toggle('is-paused', game.paused);
  }
  function showSeed() {
    if (document.activeElement !== seedInput) seedInput.value = game.seed === null ? '' : String(game.seed);
  }
  function newGame(seed) {
    game.reset(seed === undefined || seed === null ? randomSeed() : seed);
  }
  function playSeed() {
    const s = parseSeed(seedInput.value);
    if (s === null) {
      seedInput.classList.add('invalid');
      say('A seed is a whole number ≥ 0');
      return false;
    }
    seedInput.classList.remove('invalid');
    newGame(s);
    say(`Seed ${s}`);
    return true;
  }
  async function copyLink() {
    syncUrl();
    const url = currentUrl();
    const ok = await copyText(url);
    page.copiedLink = ok ? url : null;
    copyBtn.dataset.copied = ok ? url : '';
    say(ok ? 'Link copied' : 'Could not copy: the link is in the address bar');
    return ok ? url : null;
  }

  pauseBtn.addEventListener('click', (e) => { game.setPaused(!game.paused); refocus(e.currentTarget); });
  $('btn-step').addEventListener('click', (e) => { game.stepOnce(); refocus(e.currentTarget); });
  $('btn-reset').addEventListener('click', (e) => { newGame(); refocus(e.currentTarget); });
  $('btn-seed').addEventListener('click', (e) => { if (playSeed()) refocus(e.currentTarget); });
  seedInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (playSeed()) refocus(seedInput);
    } else if (e.key === 'Escape') {
      showSeed();
      refocus(seedInput);
    }
  });
  seedInput.addEventListener('input', () => seedInput.classList.remove('invalid'));
  seedInput.addEventListener('blur', () => { if (!seedInput.classList.contains('invalid')) showSeed(); });
  copyBtn.addEventListener('click', (e) => { copyLink(); refocus(e.currentTarget); });

  // ---- keys ----
  keys.bind(['p', 'KeyP'], () => { game.setPaused(!game.paused); say(game.paused ? 'Paused' : 'Playing'); });
  keys.bind(['n', 'KeyN'], () => game.stepOnce(), { repeat: true });
  keys.bind(['r', 'KeyR'], () => { newGame(); say('New game'); });
  keys.bind(['[', 'BracketLeft'], () => faster(-1), { repeat: true });
  keys.bind([']', 'BracketRight'], () => faster(1), { repeat: true });
  keys.bind(['c', 'KeyC'], () => copyLink());

  // ---- the game's events ----
  game.on('speed', () => { showSpeed(); syncUrl(); });
  game.on('mode', syncUrl);
  game.on('pause', showPaused);
  game.on('reset', () => { showSeed(); syncUrl(); });

  showSpeed();
  showPaused();
  showSeed();
  syncUrl();
  return { SPEEDS, setSpeed, faster, setPaused: (p) => game.setPaused(p), step: () => game.stepOnce(),
    newGame, playSeed, copyLink, syncUrl, url: currentUrl };
}
