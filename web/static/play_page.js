// The play page: one env on the canvas, the side panel, Shift to take over.
// Generic: the env comes from the page's config (its manifest entry).
(function () {
  'use strict';
  const SP = window.ShiftPlay;
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($('play-config').textContent);
  const entry = config.entry;
  if (!entry) return;  // not built: the page says how to build it

  const canvas = $('game-canvas');
  const wrap = $('canvas-wrap');
  const overlay = $('overlay');
  const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Space',
    'PageUp', 'PageDown', 'Home', 'End']);

  function isFormField(el) {
    return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT');
  }

  // Game keys never scroll the page.
  window.addEventListener('keydown', (e) => {
    if (SCROLL_KEYS.has(e.code) && !isFormField(e.target)) e.preventDefault();
  }, true);
  canvas.addEventListener('mousedown', () => canvas.focus());
  canvas.addEventListener('click', () => canvas.focus());
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());

  function fmt(x) {
    if (!Number.isFinite(x)) return '–';
    const r = Math.round(x * 100) / 100;
    return (Object.is(r, -0) ? 0 : r).toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  function signed(x) {
    const s = fmt(x);
    return x > 0 ? '+' + s : s;
  }

  const shown = {};
  function setText(id, text) {
    if (shown[id] !== text) {
      shown[id] = text;
      $(id).textContent = text;
    }
  }

  let control = null;
  function showControl(human) {
    const who = human ? 'you' : 'bot';
    if (control === who) return;
    control = who;
    const card = $('control-card');
    card.classList.toggle('you', human);
    card.classList.toggle('bot', !human);
    wrap.classList.toggle('you', human);
    wrap.classList.toggle('bot', !human);
    $('control').textContent = human ? 'YOU' : 'BOT';
    const bar = $('stage-bar');
    bar.classList.toggle('you', human);
    bar.classList.toggle('bot', !human);
    $('canvas-tag').textContent = human ? 'YOU' : 'BOT';
    $('stage-status').textContent = human ? 'You are playing' : 'The bot is playing';
    $('stage-key').innerHTML = human
      ? 'release <kbd>Shift</kbd> to hand back'
      : 'hold <kbd>Shift</kbd> to take over';
    $('control-sub').innerHTML = human
      ? 'Release <kbd>Shift</kbd> to hand back'
      : 'Hold <kbd>Shift</kbd> to play';
  }

  // The panel is redrawn at most PANEL_HZ times a second (repaints cost more than the
  // game on software-rendered GPUs); who is in control is shown at once.
  const PANEL_HZ = 12;
  let panelAt = 0;
  function onFrame(game) {
    showControl(game.humanActive);
    const now = performance.now();
    if (now - panelAt < 1000 / PANEL_HZ) return;
    panelAt = now;
    updatePanel(game);
  }

  function updatePanel(game) {
    const env = game.env;
    const s = env.agentStats(game.humanAgent);
    showControl(game.humanActive);
    setText('stat-score', signed(s.episodeReturn));
    setText('stat-episode', String(s.episodes + 1));
    setText('stat-steps', String(s.episodeLength));
    const sp = game.split;
    setText('split-bot', signed(sp.bot));
    setText('split-you', signed(sp.you));
    setText('split-bot-steps', `${sp.botSteps} steps`);
    setText('split-you-steps', `${sp.youSteps} steps`);
    const total = sp.botSteps + sp.youSteps;
    const youPct = total ? (100 * sp.youSteps) / total : 0;
    const youBar = `${youPct.toFixed(1)}%`;
    if (shown.youBar !== youBar) {
      shown.youBar = youBar;
      $('split-you-bar').style.width = youBar;
      $('split-bot-bar').style.width = `${(100 - youPct).toFixed(1)}%`;
    }
    if (s.episodes > 0) {
      const name = env.spec.score_name || 'score';
      let text = `${name}: ${fmt(s.lastScore)} · return ${signed(s.lastReturn)} · ${s.lastLength} steps`;
      if (game.lastSplit) text += ` · you played ${game.lastSplit.youSteps}`;
      setText('last-body', text);
    }
    setText('fps', game.fps ? String(Math.round(game.fps)) : '–');
  }

  function fail(message) {
    overlay.classList.remove('hidden');
    overlay.classList.add('error');
    overlay.innerHTML = '';
    const span = document.createElement('span');
    span.textContent = message;
    overlay.appendChild(span);
    if (SP.banner) SP.banner(message, { key: 'game', kind: 'error' });  // fallbacks.js
  }

  async function main() {
    const env = await SP.loadEnv(entry, { canvas });
    // ?seed=N replays the same game; otherwise a random one.
    const query = new URLSearchParams(location.search).get('seed');
    const asked = query ? Number(query) : NaN;
    const seed = Number.isSafeInteger(asked) && asked >= 0 ? asked : Math.floor(Math.random() * 2 ** 31);
    env.create(seed);
    env.renderInit();
    const input = new SP.ShiftInput(window);
    const game = new SP.Game(env, {
      input,
      humanAgent: 0,
      onFrame,
      onError: (e) => fail('The game stopped: ' + (e && e.message ? e.message : e)),
    });
    // ?speed= and ?mode= (controls.js keeps the URL current), before any frame or view.
    const fromUrl = SP.PageUrl ? SP.PageUrl.read() : {};
    if (fromUrl.speed) game.speed = fromUrl.speed;
    if (fromUrl.mode) game.policyMode = fromUrl.mode;
    // Shift changes who is in control at once, even between steps.
    const refresh = () => showControl(game.humanActive);
    window.addEventListener('keydown', refresh);
    window.addEventListener('keyup', refresh);
    window.addEventListener('blur', refresh);

    // Speed, pause, single step, new game, seeds and links: controls.js (on shiftplay:ready).

    $('policy-name').textContent = game.policy.label;
    game.onPolicy = (p) => { $('policy-name').textContent = p.label || p.name; };

    game.reset(seed);
    game.start();
    overlay.classList.add('hidden');
    canvas.focus({ preventScroll: true });
    updatePanel(game);

    // For tests and for the policy loader that comes next.
    window.shiftplay = {
      env, game, config,
      refreshControl: refresh,   // after a change of who is in control (e.g. touch)
      state() {
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
      },
    };
    document.dispatchEvent(new CustomEvent('shiftplay:ready', { detail: window.shiftplay }));
  }

  main().catch((e) => {
    console.error(e);
    fail('Could not start the game: ' + (e && e.message ? e.message : e));
  });
})();
