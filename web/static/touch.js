// Play page: on-screen controls for touch screens, generated from spec.action_names.
//   - "Hold to play": while held, the human drives with the env's own mapping
//     (game.humanHeld: the same as holding Shift with no game key down);
//   - one button per action (arrows for UP/DOWN/LEFT/RIGHT, the name otherwise; the
//     spec's noop_action is left out): while pressed, the human drives with that action
//     (game.humanActionOverride). An action named after others joined by '_' (e.g.
//     ACCEL_LEFT when ACCEL and LEFT exist) gets no button: holding those buttons
//     together plays it (comboAction), so a thumb steers while the other holds the gas.
//   - continuous actions (spec.action_kind 'continuous'): a thumb joystick instead of
//     action buttons. While a finger is on it, the human drives with its position: the
//     vertical axis sets action value 0 (up = toward its high bound), the horizontal
//     axis value 1 (right = high); the centre is 0 (clamped into the bounds), the rim the
//     bound. More dimensions than two keep their 0 (Shift and keys reach them all).
// Shown on touch devices (or with ?touch=1); pointer and touch events, touch-action: none.
// On the canvas itself (any device with touch):
//   - turn-based envs: a tap is a mouse click where it lands, so the render header's own
//     click handling picks the move (e.g. the column under the finger);
//   - versus mode, real-time envs with UP and DOWN actions: a finger held (or dragged) on
//     the upper half of the court sends UP, on the lower half DOWN, for the human's side.
const ARROWS = {
  UP: { glyph: '▲', row: 0, col: 1 },
  DOWN: { glyph: '▼', row: 2, col: 1 },
  LEFT: { glyph: '◀', row: 1, col: 0 },
  RIGHT: { glyph: '▶', row: 1, col: 2 },
};

export function touchCapable() {
  const q = new URLSearchParams(location.search).get('touch');
  if (q === '1' || q === 'on') return true;
  if (q === '0' || q === 'off') return false;
  return (navigator.maxTouchPoints || 0) > 0 || 'ontouchstart' in window ||
    (window.matchMedia && window.matchMedia('(pointer: coarse)').matches);
}

// Calls onDown on the first press and onUp on the release (pointer or touch events,
// whichever come; each is idempotent).
function bindHold(el, onDown, onUp) {
  let pressed = false;
  const down = (e) => {
    if (e.cancelable) e.preventDefault();
    if (pressed) return;
    pressed = true;
    el.classList.add('pressed');
    onDown();
  };
  const up = (e) => {
    if (e && e.cancelable) e.preventDefault();
    if (!pressed) return;
    pressed = false;
    el.classList.remove('pressed');
    onUp();
  };
  el.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    try { el.setPointerCapture(e.pointerId); } catch (err) { /* synthetic pointer */ }
    down(e);
  });
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', up);
  el.addEventListener('lostpointercapture', up);
  el.addEventListener('touchstart', down, { passive: false });
  el.addEventListener('touchend', up, { passive: false });
  el.addEventListener('touchcancel', up, { passive: false });
  el.addEventListener('contextmenu', (e) => e.preventDefault());
  // Keyboard users can use the buttons too (Space/Enter held).
  el.addEventListener('keydown', (e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) down(e); });
  el.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') up(e); });
  return { release: () => up(null), get pressed() { return pressed; } };
}

// Combined actions: name -> index for every action whose name is two or more other
// actions' names joined by '_' (upper case), keyed by its parts sorted and joined by '+'.
export function comboActions(names) {
  const index = new Map(names.map((n, i) => [n, i]));
  const combos = new Map();
  names.forEach((name, i) => {
    const parts = name.split('_');
    if (parts.length < 2 || !parts.every((p) => index.has(p))) return;
    combos.set([...parts].sort().join('+'), i);
  });
  return combos;
}

// The action for the buttons held (action indices, latest last): the combined action of
// all of them if there is one, else of the latest with the most recent other, else the
// latest alone; null when none is held.
export function comboAction(held, names, combos) {
  if (!held.length) return null;
  const key = (list) => list.map((i) => names[i]).sort().join('+');
  if (held.length > 1 && combos.has(key(held))) return combos.get(key(held));
  const latest = held[held.length - 1];
  for (let j = held.length - 2; j >= 0; j--) {
    const pair = key([held[j], latest]);
    if (combos.has(pair)) return combos.get(pair);
  }
  return latest;
}

// The button for action a ({index, name}): held, it drives with that action.
function actionButton(a, cls, text) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'touch-btn ' + cls;
  b.dataset.action = String(a.index);
  b.dataset.name = a.name;
  b.textContent = text;
  return b;
}

// A tap on the canvas as the mouse events raylib listens to: press, then release once
// the game has drawn two frames with the button down (slow devices included), or after
// a second if it draws none.
function forwardTap(canvas, touch, game) {
  const o = { clientX: touch.clientX, clientY: touch.clientY, screenX: touch.screenX,
    screenY: touch.screenY, button: 0, buttons: 1, bubbles: true, cancelable: true, view: window };
  canvas.dispatchEvent(new MouseEvent('mousemove', o));
  canvas.dispatchEvent(new MouseEvent('mousedown', o));
  const until = game.frames + 2;
  const t0 = performance.now();
  const release = () => {
    const waited = performance.now() - t0;
    if ((game.frames >= until && waited >= 100) || waited >= 1000) {
      canvas.dispatchEvent(new MouseEvent('mouseup', Object.assign({}, o, { buttons: 0 })));
    } else {
      requestAnimationFrame(release);
    }
  };
  requestAnimationFrame(release);
}

// Taps (turn-based) or court halves (versus, UP/DOWN) on the canvas; see the top.
function bindCanvas(page, names) {
  const { game, env, canvas } = page;
  if (!canvas) return;
  if (env.spec.turn_based) {
    canvas.addEventListener('touchend', (e) => {
      const t = e.changedTouches && e.changedTouches[0];
      if (!t) return;
      if (e.cancelable) e.preventDefault();
      forwardTap(canvas, t, game);
    }, { passive: false });
    return;
  }
  const up = names.indexOf('UP');
  const down = names.indexOf('DOWN');
  if (!page.versusSpec || up < 0 || down < 0) return;
  const steer = (e) => {
    const t = e.touches && e.touches[0];
    if (e.cancelable) e.preventDefault();
    if (!t) {
      game.humanActionOverride = null;
      return;
    }
    const r = canvas.getBoundingClientRect();
    game.humanActionOverride = t.clientY < r.top + r.height / 2 ? up : down;
  };
  for (const type of ['touchstart', 'touchmove', 'touchend', 'touchcancel']) {
    canvas.addEventListener(type, steer, { passive: false });
  }
}

// Axis position p in [-1, 1] -> an action value: p * high above the centre, p * -low
// below it, so the centre is 0 and the rim a bound (clamped into [low, high]).
function axisValue(p, low, high) {
  const v = p >= 0 ? p * high : -p * low;
  return Math.min(high, Math.max(low, v));
}

// The thumb joystick of a continuous env; see the top. Returns its hold (release()).
function joystick(pad, game, env) {
  const stick = document.createElement('div');
  stick.className = 'touch-stick';
  stick.setAttribute('role', 'application');
  stick.setAttribute('aria-label', 'thumb joystick: ' + (env.actionNames || []).slice(0, 2).join(' (up/down), ') + ' (left/right)');
  const knob = document.createElement('span');
  knob.className = 'touch-knob';
  stick.appendChild(knob);
  pad.appendChild(stick);
  const D = env.actionDim;
  const values = new Float32Array(D);
  let active = null;
  const move = (x, y) => {
    const r = stick.getBoundingClientRect();
    const radius = Math.max(1, r.width / 2);
    let dx = (x - (r.left + r.width / 2)) / radius;
    let dy = ((r.top + r.height / 2) - y) / radius;
    const len = Math.hypot(dx, dy);
    if (len > 1) { dx /= len; dy /= len; }
    for (let k = 0; k < D; k++) values[k] = axisValue(0, env.actionLow[k], env.actionHigh[k]);
    values[0] = axisValue(dy, env.actionLow[0], env.actionHigh[0]);
    if (D > 1) values[1] = axisValue(dx, env.actionLow[1], env.actionHigh[1]);
    knob.style.transform = `translate(${(dx * 50).toFixed(1)}%, ${(-dy * 50).toFixed(1)}%)`;
    game.humanActionOverride = Float32Array.from(values);
  };
  const release = () => {
    if (active === null) return;
    active = null;
    stick.classList.remove('pressed');
    knob.style.transform = '';
    game.humanActionOverride = null;
  };
  stick.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    if (e.cancelable) e.preventDefault();
    try { stick.setPointerCapture(e.pointerId); } catch (err) { /* synthetic pointer */ }
    active = e.pointerId;
    stick.classList.add('pressed');
    move(e.clientX, e.clientY);
  });
  stick.addEventListener('pointermove', (e) => { if (e.pointerId === active) move(e.clientX, e.clientY); });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
    stick.addEventListener(type, (e) => { if (e.pointerId === active) release(); });
  }
  stick.addEventListener('touchstart', (e) => { if (e.cancelable) e.preventDefault(); }, { passive: false });
  stick.addEventListener('contextmenu', (e) => e.preventDefault());
  return { release, get pressed() { return active !== null; }, values };
}

export function initTouch(page) {
  const pad = document.getElementById('touch-pad');
  if (!pad) return null;
  const { game, env } = page;
  const continuous = !!env.continuous;
  const names = continuous ? [] : (env.spec.action_names || []);
  const noop = env.spec.noop_action;
  const upper = names.map((n) => String(n).toUpperCase());
  const combos = comboActions(upper);
  const comboIndices = new Set(combos.values());
  bindCanvas(page, upper);
  const versus = !!page.versusSpec;
  const takeText = versus ? "Hold: the bot's side too" : 'Hold to play';
  const held = [];  // pressed action buttons, latest last
  const holds = [];

  function applyOverride() {
    game.humanActionOverride = comboAction(held, upper, combos);
  }

  const arrows = [];
  const others = [];
  names.forEach((raw, index) => {
    const name = String(raw).toUpperCase();
    if (index === noop || comboIndices.has(index)) return;
    (ARROWS[name] ? arrows : others).push({ name, index, raw: String(raw) });
  });

  const dirs = document.createElement('div');
  dirs.className = 'touch-dirs';
  if (arrows.length) {
    // Only the rows and columns in use: a pair, a row, or a full cross.
    const rows = [...new Set(arrows.map((a) => ARROWS[a.name].row))].sort();
    const cols = [...new Set(arrows.map((a) => ARROWS[a.name].col))].sort();
    dirs.style.gridTemplateRows = `repeat(${rows.length}, var(--touch-btn))`;
    dirs.style.gridTemplateColumns = `repeat(${cols.length}, var(--touch-btn))`;
    for (const a of arrows) {
      const b = actionButton(a, 'touch-dir', ARROWS[a.name].glyph);
      b.setAttribute('aria-label', a.raw.toLowerCase());
      b.style.gridRow = String(rows.indexOf(ARROWS[a.name].row) + 1);
      b.style.gridColumn = String(cols.indexOf(ARROWS[a.name].col) + 1);
      dirs.appendChild(b);
    }
  }
  for (const a of others) {
    dirs.appendChild(actionButton(a, 'touch-act', a.raw.replace(/_/g, ' ').toLowerCase()));
  }

  const take = document.createElement('button');
  take.type = 'button';
  take.className = 'touch-btn touch-take';
  take.id = 'btn-takeover';
  take.innerHTML = '<span class="touch-take-main"></span><span class="touch-take-sub">release to hand back</span>';
  take.querySelector('.touch-take-main').textContent = takeText;

  pad.textContent = '';
  if (dirs.childElementCount) pad.appendChild(dirs);
  if (continuous) holds.push(joystick(pad, game, env));
  pad.appendChild(take);

  holds.push(bindHold(take, () => {
    game.humanHeld = true;
    take.querySelector('.touch-take-main').textContent = 'You are playing';
  }, () => {
    game.humanHeld = false;
    take.querySelector('.touch-take-main').textContent = takeText;
  }));
  for (const b of dirs.querySelectorAll('.touch-btn')) {
    const index = Number(b.dataset.action);
    holds.push(bindHold(b, () => {
      const i = held.indexOf(index);
      if (i >= 0) held.splice(i, 1);
      held.push(index);
      applyOverride();
    }, () => {
      const i = held.indexOf(index);
      if (i >= 0) held.splice(i, 1);
      applyOverride();
    }));
  }
  // Turn-based: a move that is not legal now is never offered (its button is disabled).
  if (env.spec.turn_based) {
    let shownMask = '';
    game.on('frame', () => {
      const agent = game.turn >= 0 && game.drives(game.turn) ? game.turn : game.humanAgent;
      const buttons = dirs.querySelectorAll('.touch-btn');
      const legal = Array.from(buttons, (b) => env.isLegal(agent, Number(b.dataset.action)));
      const mask = legal.join();
      if (mask === shownMask) return;
      shownMask = mask;
      buttons.forEach((b, i) => { b.disabled = !legal[i]; });
    });
  }
  const releaseAll = () => { for (const h of holds) h.release(); };
  window.addEventListener('blur', releaseAll);
  document.addEventListener('visibilitychange', () => { if (document.hidden) releaseAll(); });

  const show = (on) => {
    pad.hidden = !on;
    document.body.classList.toggle('has-touch', on);
    if (!on) releaseAll();
  };
  show(touchCapable());
  return { pad, show, releaseAll };
}

