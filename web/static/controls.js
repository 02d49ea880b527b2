// Play page: time control (pause, single step, speed 0.25x-8x, new game), seeds and
// shareable links, keyboard shortcuts. Generic: nothing here names an env.
//
// The URL carries the page's state and is kept current with history.replaceState:
//   /play/<env>?seed=7&speed=2&mode=sample
// seed: the seed of the current game (play_page.js starts from it); speed: steps per
// frame relative to the env's own rate; mode: the model policy's mode (game.policyMode,
// 'argmax' or 'sample'), applied before the first frame.
//
// Keys: P pause/resume, N one step (pauses), R new game, [ / ] slower / faster, C copy link.
(function () {
  'use strict';
  const SP = window.ShiftPlay || (window.ShiftPlay = {});
  const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
  const MIN_SPEED = SPEEDS[0];
  const MAX_SPEED = SPEEDS[SPEEDS.length - 1];
  const MODES = ['argmax', 'sample'];
  const MAX_SEED = Number.MAX_SAFE_INTEGER;

  // A seed from text: a non-negative safe integer, or null.
  function parseSeed(text) {
    const t = String(text == null ? '' : text).trim();
    if (!/^\d{1,16}$/.test(t)) return null;
    const n = Number(t);
    return Number.isSafeInteger(n) && n <= MAX_SEED ? n : null;
  }

  function parseSpeed(text) {
    if (text == null || text === '') return null;
    const n = Number(String(text).replace(/x$/i, ''));
    if (!Number.isFinite(n) || n <= 0) return null;
    return Math.min(MAX_SPEED, Math.max(MIN_SPEED, n));
  }

  function parseMode(text) {
    const t = String(text || '').toLowerCase();
    return MODES.includes(t) ? t : null;
  }

  // {seed, speed, mode} from a query string; missing or bad values are null.
  function read(search) {
    const q = new URLSearchParams(search === undefined ? location.search : search);
    return { seed: parseSeed(q.get('seed')), speed: parseSpeed(q.get('speed')), mode: parseMode(q.get('mode')) };
  }

  // The page's URL for a state; other query parameters are kept.
  function build(state, base) {
    const url = new URL(base || location.href);
    const q = url.searchParams;
    const set = (key, value) => { if (value === null || value === undefined) q.delete(key); else q.set(key, String(value)); };
    set('seed', state.seed);
    set('speed', state.speed);
    set('mode', state.mode);
    url.hash = '';
    return url.toString();
  }

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
  async function copyText(text) {
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

  function isFormField(el) {
    return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' ||
      el.isContentEditable);
  }

  function randomSeed() { return Math.floor(Math.random() * 2 ** 31); }

  function init(sp) {
    const $ = (id) => document.getElementById(id);
    const game = sp.game;
    const canvas = $('game-canvas');
    const speedInput = $('speed');
    const speedValue = $('speed-value');
    const pauseBtn = $('btn-pause');
    const stepBtn = $('btn-step');
    const resetBtn = $('btn-reset');
    const seedInput = $('seed-input');
    const seedBtn = $('btn-seed');
    const copyBtn = $('btn-copy-link');
    const toast = $('toast');
    const badge = $('pause-badge');

    const asked = read();
    if (asked.speed !== null) game.speed = asked.speed;
    if (asked.mode !== null) game.policyMode = asked.mode;

    const refocus = (el) => {
      if (el && el.blur) el.blur();
      if (canvas) canvas.focus({ preventScroll: true });
    };

    let toastTimer = 0;
    function say(text) {
      if (!toast) return;
      toast.textContent = text;
      toast.classList.add('show');
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => toast.classList.remove('show'), 1400);
    }

    // ---- the URL ----
    let shownUrl = location.href;
    let shownMode = game.policyMode;
    function currentUrl() {
      const mode = typeof game.policyMode === 'string' ? game.policyMode : null;
      return build({ seed: game.seed, speed: game.speed, mode });
    }
    function syncUrl() {
      shownMode = game.policyMode;
      const url = currentUrl();
      if (url !== shownUrl) {
        shownUrl = url;
        try {
          history.replaceState(history.state, '', url);
        } catch (e) {
          // replaceState can throw on odd origins (file://): the link button still works
        }
      }
    }
    // The mode is changed by the policy panel: follow it cheaply.
    (function watchMode() {
      if (game.policyMode !== shownMode) syncUrl();
      setTimeout(watchMode, 250);
    })();

    // ---- speed ----
    function showSpeed() {
      const sps = game.speed * game.stepsPerSecond;
      if (speedValue) {
        speedValue.innerHTML = `${speedLabel(game.speed)} <small>${Math.round(sps * 10) / 10}/s</small>`;
        speedValue.title = `${Math.round(sps * 10) / 10} steps per second`;
      }
      if (speedInput) speedInput.value = String(nearestSpeedIndex(game.speed));
    }
    function setSpeed(speed) {
      const s = parseSpeed(speed);
      if (s === null) return;
      game.speed = s;
      showSpeed();
      syncUrl();
    }
    function faster(dir) {
      const i = nearestSpeedIndex(game.speed);
      let j = i;
      if (dir > 0) j = SPEEDS[i] > game.speed ? i : Math.min(SPEEDS.length - 1, i + 1);
      else j = SPEEDS[i] < game.speed ? i : Math.max(0, i - 1);
      setSpeed(SPEEDS[j]);
      say(`Speed ${speedLabel(game.speed)}`);
    }
    if (speedInput) {
      speedInput.min = '0';
      speedInput.max = String(SPEEDS.length - 1);
      speedInput.step = '1';
      speedInput.addEventListener('input', () => setSpeed(SPEEDS[Number(speedInput.value)]));
      speedInput.addEventListener('change', () => refocus(speedInput));
    }

    // ---- pause / step / new game ----
    function showPaused() {
      if (pauseBtn) {
        pauseBtn.textContent = game.paused ? 'Resume' : 'Pause';
        pauseBtn.setAttribute('aria-pressed', game.paused ? 'true' : 'false');
      }
      if (badge) badge.hidden = !game.paused;
      document.body.classList.toggle('is-paused', game.paused);
    }
    function setPaused(paused) {
      game.setPaused(paused);
      showPaused();
    }
    function step() {
      game.stepOnce();
      showPaused();
    }
    function showSeed() {
      if (seedInput && document.activeElement !== seedInput) seedInput.value = game.seed === null ? '' : String(game.seed);
    }
    function newGame(seed) {
      const s = seed === undefined || seed === null ? randomSeed() : seed;
      game.reset(s);
      showSeed();
      syncUrl();
      document.dispatchEvent(new CustomEvent('shiftplay:reset', { detail: { seed: s } }));
    }
    function playSeed() {
      const s = parseSeed(seedInput ? seedInput.value : '');
      if (s === null) {
        if (seedInput) seedInput.classList.add('invalid');
        say('A seed is a whole number ≥ 0');
        return false;
      }
      if (seedInput) seedInput.classList.remove('invalid');
      newGame(s);
      say(`Seed ${s}`);
      return true;
    }
    async function copyLink() {
      syncUrl();
      const url = currentUrl();
      const ok = await copyText(url);
      sp.copiedLink = ok ? url : null;
      if (copyBtn) copyBtn.dataset.copied = ok ? url : '';
      say(ok ? 'Link copied' : 'Could not copy: the link is in the address bar');
      return ok ? url : null;
    }

    if (pauseBtn) pauseBtn.addEventListener('click', (e) => { setPaused(!game.paused); refocus(e.currentTarget); });
    if (stepBtn) stepBtn.addEventListener('click', (e) => { step(); refocus(e.currentTarget); });
    if (resetBtn) resetBtn.addEventListener('click', (e) => { newGame(); refocus(e.currentTarget); });
    if (seedBtn) seedBtn.addEventListener('click', (e) => { if (playSeed()) refocus(e.currentTarget); });
    if (seedInput) {
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
    }
    if (copyBtn) copyBtn.addEventListener('click', (e) => { copyLink(); refocus(e.currentTarget); });

    // ---- keys ----
    const ACTIONS = {
      pause: () => { setPaused(!game.paused); say(game.paused ? 'Paused' : 'Playing'); },
      step: () => step(),
      reset: () => { newGame(); say('New game'); },
      slower: () => faster(-1),
      faster: () => faster(1),
      copy: () => copyLink(),
    };
    const KEYS = { KeyP: 'pause', KeyN: 'step', KeyR: 'reset', BracketLeft: 'slower', BracketRight: 'faster', KeyC: 'copy' };
    const CHARS = { p: 'pause', n: 'step', r: 'reset', '[': 'slower', ']': 'faster', c: 'copy' };
    const REPEATS = new Set(['step', 'slower', 'faster']);
    window.addEventListener('keydown', (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isFormField(e.target)) return;
      if (document.body.classList.contains('help-open')) return;
      const what = CHARS[(e.key || '').toLowerCase()] || KEYS[e.code];
      if (!what) return;
      if (e.repeat && !REPEATS.has(what)) return;
      e.preventDefault();
      ACTIONS[what]();
    });

    showSpeed();
    showPaused();
    showSeed();
    syncUrl();

    sp.controls = {
      SPEEDS, setSpeed, faster, setPaused, step, newGame, playSeed, copyLink, syncUrl,
      url: currentUrl, read, build,
    };
  }

  SP.PageUrl = { read, build, parseSeed, parseSpeed, parseMode, SPEEDS, copyText };

  if (window.shiftplay && window.shiftplay.game) init(window.shiftplay);
  else document.addEventListener('shiftplay:ready', (e) => init(e.detail), { once: true });
})();
