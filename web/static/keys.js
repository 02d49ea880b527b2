// The play page's one keyboard dispatcher. Features bind shortcuts here instead of each
// listening to keydown and re-checking the same things:
//   - a key typed into a form field, or with Ctrl/Cmd/Alt, is never a shortcut;
//   - while a modal (the help overlay) is open, only bindings marked {modal: true} run;
//   - held keys repeat only for bindings marked {repeat: true};
//   - game keys (arrows, Space, Page Up/Down, Home/End) never scroll the page.
//
//   const keys = new Keys();
//   keys.bind(['p'], () => pause());                  // e.key, case-insensitive
//   keys.bind(['Escape'], close, {modal: true});
//   keys.setModal('help'); keys.setModal(null);
const SCROLL_CODES = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Space',
  'PageUp', 'PageDown', 'Home', 'End']);

export function isFormField(el) {
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' ||
    el.isContentEditable === true);
}

export class Keys {
  constructor(target) {
    this.target = target || window;
    this.bindings = new Map();  // lower-case e.key or e.code -> {fn, repeat, modal}
    this.modal = null;
    this._onKey = (e) => this._dispatch(e);
    this.target.addEventListener('keydown', this._onKey, true);
  }

  // keys: e.key values (one character or a name such as 'Escape') or e.code values
  // ('KeyP', 'BracketLeft': layouts where the character differs).
  bind(keys, fn, options) {
    const opts = options || {};
    const binding = { fn, repeat: !!opts.repeat, modal: !!opts.modal };
    for (const k of keys) {
      const key = k.length === 1 ? k.toLowerCase() : k;
      if (this.bindings.has(key)) throw new Error(`key ${k} is bound twice`);
      this.bindings.set(key, binding);
    }
  }

  setModal(name) { this.modal = name || null; }

  _dispatch(e) {
    if (isFormField(e.target)) return;
    if (SCROLL_CODES.has(e.code)) e.preventDefault();
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const key = (e.key || '').length === 1 ? e.key.toLowerCase() : e.key;
    const b = this.bindings.get(key) || this.bindings.get(e.code);
    if (!b) return;
    if (this.modal && !b.modal) return;
    if (e.repeat && !b.repeat) return;
    e.preventDefault();
    b.fn(e);
  }

  dispose() {
    this.target.removeEventListener('keydown', this._onKey, true);
    this.bindings.clear();
  }
}
