// Problems made visible: a banner under the top bar (never a silent hang), the checks
// for what the games need (WebAssembly, WebGL), and load timings.
//
//   banner(message, {key, kind: 'error' | 'warn' | 'info', detail, first})
//                             -> element (first: above the others)
//   clearBanner(key)
//   problem(message, error, options)  a banner in the visitor's words; the developer's
//                             detail (error.detail, the stack) goes to the console
//   mark(name)                performance.now() once per name, in `timings` (the test hook
//                             shows it as shiftplay.timings) and as a performance mark
//   showPage()                ends the play page's hold on its text and panels (play.html:
//                             html.booting); any banner does it too
//
// Nothing here depends on the other modules but dom.js.
import { el } from './dom.js';

export const timings = {};
const problems = [];

export function mark(name) {
  if (timings[name] === undefined) {
    timings[name] = Math.round(performance.now() * 10) / 10;
    try { performance.mark('shiftplay:' + name); } catch (e) { /* no User Timing */ }
  }
  return timings[name];
}

// The play page keeps its text and panels hidden until the game's first frame
// (play.html); a problem is shown with the page around it.
export function showPage() {
  document.documentElement.classList.remove('booting');
}

let stack = null;
const banners = new Map();

function container() {
  if (stack && stack.isConnected) return stack;
  stack = el('div', 'banners');
  stack.id = 'banners';
  const topbar = document.querySelector('.topbar');
  if (topbar && topbar.parentNode) topbar.parentNode.insertBefore(stack, topbar.nextSibling);
  else document.body.insertBefore(stack, document.body.firstChild);
  return stack;
}

// A readable message at the top of the page; a banner with the same key is replaced.
export function banner(message, options) {
  const opts = options || {};
  const key = opts.key || message;
  const kind = opts.kind || 'error';
  clearBanner(key);
  const banner = el('div', 'banner banner-' + kind);
  banner.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  banner.dataset.key = key;
  const icon = el('span', 'banner-icon', kind === 'info' ? 'i' : '!');
  icon.setAttribute('aria-hidden', 'true');
  const body = el('div', 'banner-body');
  body.appendChild(el('div', 'banner-text', message));
  if (opts.detail) body.appendChild(el('div', 'banner-detail', opts.detail));
  const close = el('button', 'banner-close');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => clearBanner(key));
  banner.append(icon, body, close);
  showPage();
  if (opts.first) container().prepend(banner);
  else container().appendChild(banner);
  banners.set(key, banner);
  if (key === 'game') gameFailed();
  return banner;
}

export function clearBanner(key) {
  const banner = banners.get(key);
  if (banner) {
    banner.remove();
    banners.delete(key);
  }
}

// What the games need. WebGL is probed with a throwaway context (released at once).
export function hasWebAssembly() {
  return typeof window.WebAssembly === 'object' && typeof window.WebAssembly.instantiate === 'function';
}

export function hasWebGL() {
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
// start (a throwaway context costs up to half a second on software GL). Returns the
// problems found: 'no-wasm', 'no-webgl'.
export function preflight() {
  if (!hasWebAssembly()) {
    problems.push('no-wasm');
    banner('This browser cannot run WebAssembly, which the games are built as. Try a ' +
      'current Chrome, Firefox, Safari or Edge (and check that WebAssembly is not turned off).',
    { key: 'no-wasm', kind: 'error' });
  }
  if (typeof window.WebGLRenderingContext === 'undefined') {
    problems.push('no-webgl');
    noWebGL();
  }
  return problems.slice();
}

// The game could not start or stopped: say why if it is WebGL.
function gameFailed() {
  if (problems.includes('no-webgl')) return;
  if (!hasWebGL()) {
    problems.push('no-webgl');
    noWebGL();
  }
}

// Errors whose message is written for visitors (they name what failed in plain words);
// their `detail` is for developers.
const VISITOR_ERRORS = ['LoadError', 'PolicyLoadError'];

// A failure told in the visitor's words: `message` says what happened; `error.message`
// joins it only when it is already a sentence for people (VISITOR_ERRORS); everything
// else (Emscripten's aborts, stacks, error.detail) goes to the console.
export function problem(message, error, options) {
  const opts = Object.assign({ key: 'problem', kind: 'error' }, options || {});
  const own = error && VISITOR_ERRORS.includes(error.name) ? error.message : '';
  const generic = error && !own ? 'Something inside the page failed; reloading it usually helps.' : '';
  const text = [message, own || generic].filter(Boolean).join(' ');
  const log = opts.kind === 'error' ? console.error : console.warn;
  log(`[shiftplay] ${message}`, error && error.detail ? error.detail : '', error || '');
  banner(text, { key: opts.key, kind: opts.kind, first: opts.first });
  return text;
}

export function watchUnhandled() {
  // Anything that escapes the page's own handlers still shows up, once per message.
  window.addEventListener('unhandledrejection', (e) => {
    const r = e.reason;
    const msg = r && r.message ? r.message : String(r);
    if (banners.has('unhandled:' + msg)) return;
    console.error('[shiftplay] unhandled:', r);
    banner('Something went wrong on this page; reloading it usually helps.',
      { key: 'unhandled:' + msg, kind: 'error' });
  });
}
