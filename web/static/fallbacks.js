// Problems made visible: a banner under the top bar (never a silent hang), the checks
// for what the games need (WebAssembly, WebGL), and load timings.
//
//   ShiftPlay.banner(message, {key, kind: 'error' | 'warn' | 'info', detail, first})
//                             -> element (first: above the others)
//   ShiftPlay.clearBanner(key)
//   ShiftPlay.mark(name)      performance.now() once per name, in window.__shiftplayTimings
//                             (and as a performance mark 'shiftplay:<name>')
//
// Loaded first on the play page: nothing here depends on the other scripts.
(function (global) {
  'use strict';

  const SP = global.ShiftPlay || (global.ShiftPlay = {});
  const timings = global.__shiftplayTimings || (global.__shiftplayTimings = {});

  function mark(name) {
    if (timings[name] === undefined) {
      timings[name] = Math.round(performance.now() * 10) / 10;
      try { performance.mark('shiftplay:' + name); } catch (e) { /* no User Timing */ }
    }
    return timings[name];
  }

  let stack = null;
  const banners = new Map();

  function container() {
    if (stack && stack.isConnected) return stack;
    stack = document.createElement('div');
    stack.className = 'banners';
    stack.id = 'banners';
    const topbar = document.querySelector('.topbar');
    if (topbar && topbar.parentNode) topbar.parentNode.insertBefore(stack, topbar.nextSibling);
    else document.body.insertBefore(stack, document.body.firstChild);
    return stack;
  }

  // A readable message at the top of the page; a banner with the same key is replaced.
  function banner(message, options) {
    const opts = options || {};
    const key = opts.key || message;
    const kind = opts.kind || 'error';
    clearBanner(key);
    const el = document.createElement('div');
    el.className = 'banner banner-' + kind;
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    el.dataset.key = key;
    const icon = document.createElement('span');
    icon.className = 'banner-icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = kind === 'info' ? 'i' : '!';
    const body = document.createElement('div');
    body.className = 'banner-body';
    const text = document.createElement('div');
    text.className = 'banner-text';
    text.textContent = message;
    body.appendChild(text);
    if (opts.detail) {
      const detail = document.createElement('div');
      detail.className = 'banner-detail';
      detail.textContent = opts.detail;
      body.appendChild(detail);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'banner-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', () => clearBanner(key));
    el.append(icon, body, close);
    if (opts.first) container().prepend(el);
    else container().appendChild(el);
    banners.set(key, el);
    if (key === 'game') gameFailed();
    return el;
  }

  function clearBanner(key) {
    const el = banners.get(key);
    if (el) {
      el.remove();
      banners.delete(key);
    }
  }

  // What the games need. WebGL is probed with a throwaway context (released at once).
  function hasWebAssembly() {
    return typeof global.WebAssembly === 'object' && typeof global.WebAssembly.instantiate === 'function';
  }

  function hasWebGL() {
    try {
      const c = document.createElement('canvas');
      const gl = c.getContext('webgl') || c.getContext('experimental-webgl');
      if (!gl) return false;
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
      return true;
    } catch (e) {
      return false;
    }
  }

  function noWebGL() {
    banner('WebGL is not available, so the game cannot be drawn. Turn on hardware ' +
      'acceleration in the browser settings, or try another browser.',
    { key: 'no-webgl', kind: 'error', first: true });
  }

  // Cheap checks up front; a real WebGL context is only probed once the game failed to
  // start (a throwaway context costs up to half a second on software GL).
  function preflight() {
    const problems = [];
    if (!hasWebAssembly()) {
      problems.push('no-wasm');
      banner('This browser cannot run WebAssembly, which the games are built as. Try a ' +
        'current Chrome, Firefox, Safari or Edge (and check that WebAssembly is not turned off).',
      { key: 'no-wasm', kind: 'error' });
    }
    if (typeof global.WebGLRenderingContext === 'undefined') {
      problems.push('no-webgl');
      noWebGL();
    }
    SP.problems = problems;
    return problems;
  }

  // The game could not start or stopped: say why if it is WebGL.
  function gameFailed() {
    if (!SP.problems || SP.problems.includes('no-webgl')) return;
    if (!hasWebGL()) {
      SP.problems.push('no-webgl');
      noWebGL();
    }
  }

  Object.assign(SP, { banner, clearBanner, mark, timings, hasWebAssembly, hasWebGL, preflight });

  if (document.getElementById('play-config')) preflight();
  // Anything that escapes the page's own handlers still shows up, once per message.
  global.addEventListener('unhandledrejection', (e) => {
    const r = e.reason;
    const msg = r && r.message ? r.message : String(r);
    banner('Something went wrong: ' + msg, { key: 'unhandled:' + msg, kind: 'error' });
  });
})(window);
