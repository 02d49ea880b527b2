// Building DOM nodes: one element with its class and text, in one call.

// A new <tag> element with className `cls` (if any) and textContent `text` (if given).
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}
