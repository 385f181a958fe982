/** Deepest JSON nesting Sellbridge accepts from outside (notifications, admin API bodies). Real ones nest < 10. */
export const MAX_JSON_DEPTH = 64;

/**
 * The offset where JSON `text` nests deeper than `maxDepth` arrays/objects, or -1. A linear scan that skips
 * strings, run before JSON.parse: a 10,000-deep document parses, but every recursive step after it (stringify,
 * structuredClone, validation) overflows the stack, which became a 500 and made EventBridge redeliver forever
 *.
 */
export function jsonDepthExceeded(text: string, maxDepth = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > maxDepth) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return -1;
}
