// The play page's state in its URL, parsed and written in one place:
//   /play/<env>?seed=7&speed=2&mode=sample&policy=baseline&side=1
//   seed    the current game's seed: a whole number 0..2^53-1 (else a random one)
//   speed   steps per frame relative to the env's own rate, 0.25..8 ("2" or "2x")
//   mode    how the trained policy picks: 'argmax' (default) or 'sample'; or 'versus':
//           versus mode (versus.js), the human against the bot (which picks by argmax)
//   policy  'baseline' keeps the trained model out (the scripted bot plays)
//   side    the agent the human takes over (index, default 0; for multi-agent envs);
//           in versus mode the side the human plays
// Missing or bad values read as null (the page's defaults); writing keeps every other
// query parameter and drops the ones that are null.
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
export const MODES = ['argmax', 'sample'];
export const VERSUS = 'versus';
export const POLICIES = ['baseline'];
const MAX_SIDE = 1023;

// A seed from text: a non-negative safe integer, or null.
export function parseSeed(text) {
  const t = String(text == null ? '' : text).trim();
  if (!/^\d{1,16}$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

export function parseSpeed(text) {
  if (text == null || text === '') return null;
  const n = Number(String(text).trim().replace(/x$/i, ''));
  if (!Number.isFinite(n) || n <= 0) return null;
  return Math.min(SPEEDS[SPEEDS.length - 1], Math.max(SPEEDS[0], n));
}

export function parseMode(text) {
  const t = String(text == null ? '' : text).trim().toLowerCase();
  return MODES.includes(t) || t === VERSUS ? t : null;
}

export function parsePolicy(text) {
  const t = String(text == null ? '' : text).trim().toLowerCase();
  return POLICIES.includes(t) ? t : null;
}

export function parseSide(text) {
  const t = String(text == null ? '' : text).trim();
  if (!/^\d{1,4}$/.test(t)) return null;
  const n = Number(t);
  return n <= MAX_SIDE ? n : null;
}

const FIELDS = { seed: parseSeed, speed: parseSpeed, mode: parseMode, policy: parsePolicy, side: parseSide };

// {seed, speed, mode, policy, side} from a query string (default: this page's).
export function readUrl(search) {
  const q = new URLSearchParams(search === undefined ? location.search : search);
  const out = {};
  for (const [key, parse] of Object.entries(FIELDS)) out[key] = parse(q.get(key));
  return out;
}

// The URL for `state` (any of the fields; null or undefined removes one). Other query
// parameters are kept, and fields not in `state` are left as they are.
export function urlFor(state, base) {
  const url = new URL(base || location.href);
  const q = url.searchParams;
  for (const key of Object.keys(FIELDS)) {
    if (!(key in state)) continue;
    const value = state[key];
    if (value === null || value === undefined) q.delete(key);
    else q.set(key, String(value));
  }
  url.hash = '';
  return url.toString();
}

// Where the site's files are. Every page says where the site's root is relative to itself
// in <html data-root>: '/' under server.py, './' or '../../' in the static site (`make
// site`), which may live under any sub-path. `url` relative to the page -> absolute. In
// the model's worker (onnx_worker.js, which is given absolute URLs) there is no page:
// against the worker's own location.
export function pageUrl(url) {
  return new URL(url, typeof document === 'object' ? document.baseURI : location.href).href;
}

// The absolute URL of `path` (e.g. 'build/pong.js') under the site's root.
export function siteUrl(path) {
  return pageUrl((document.documentElement.dataset.root || '/') + path);
}

// Replaces the address bar's URL (no history entry); false where the browser refuses.
export function writeUrl(state) {
  const url = urlFor(state);
  if (url === location.href) return true;
  try {
    history.replaceState(history.state, '', url);
    return true;
  } catch (e) {
    return false;  // e.g. file:// origins: the copy-link button still works
  }
}
