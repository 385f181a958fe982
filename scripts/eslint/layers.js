// The layer table of docs/architecture.md, enforced by the `sellbridge/layers` lint rule: each layer of `src/`
// lists the layers it may import (itself always). A file in a folder the table does not name is an error, so a
// new folder cannot slip past the fence. Only bootstrap, cli and demo may import bootstrap (the composition root).
import path from 'node:path';

export const LAYERS = {
  core: [],
  flows: ['core'],
  config: ['core'],
  observability: ['core'],
  runtime: ['core', 'observability'],
  'connectors/amazon': ['core', 'runtime', 'config', 'observability'],
  'connectors/sage500': ['core', 'runtime', 'config', 'observability'],
  'connectors/store': ['core', 'runtime'],
  simulator: [],
  server: ['core', 'flows', 'runtime', 'config', 'observability', 'connectors/store', 'connectors/amazon'],
  bootstrap: [
    'core',
    'flows',
    'runtime',
    'config',
    'observability',
    'connectors/amazon',
    'connectors/sage500',
    'connectors/store',
    'server',
  ],
  demo: [
    'core',
    'flows',
    'runtime',
    'config',
    'observability',
    'connectors/amazon',
    'connectors/sage500',
    'connectors/store',
    'server',
    'simulator',
    'bootstrap',
  ],
  cli: [
    'core',
    'flows',
    'runtime',
    'config',
    'observability',
    'connectors/amazon',
    'connectors/sage500',
    'connectors/store',
    'server',
    'simulator',
    'bootstrap',
    'demo',
  ],
};

/** Why each layer stops where it does (the first words of the lint message). */
const WHY = {
  core: 'core is pure: it imports nothing outside src/core',
  flows: 'flows orchestrate core (types, transforms, ports) only',
  config: 'config is a leaf',
  observability: 'observability is a leaf',
  runtime: 'runtime knows nothing of Amazon, Sage, flows or the edges',
  'connectors/amazon': 'a connector implements core ports; it does not import flows, edges or another connector',
  'connectors/sage500': 'a connector implements core ports; it does not import flows, edges or another connector',
  'connectors/store': "the store connector implements core ports over Sellbridge's own tables",
  simulator: 'the simulator stands in for Amazon: it must not share code with the client it is checked against',
  server: 'the server is an edge: it reads through the store connector and flows, and is wired by bootstrap',
  bootstrap: 'bootstrap composes everything but the CLI and the demo',
  demo: 'the demo composes the runtime, the simulator and the sandbox; the CLI imports it, not the other way round',
  cli: 'the CLI is the outermost edge',
};

/** The layer of a file under `srcDir` (`connectors/<name>` for a connector), or undefined outside `srcDir`. */
export function layerOf(srcDir, file) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first, second] = rel.split(path.sep);
  if (first === 'connectors' && second !== undefined && !second.endsWith('.ts')) return `connectors/${second}`;
  return first;
}

/** `sellbridge/layers`: a relative import must point to a layer the importing file's layer may import. */
export const layersRule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      forbidden:
        '{{why}}: {{from}} may not import {{to}} (allowed: {{allowed}}); see the layer table in docs/architecture.md.',
      unknown: '{{layer}} is not in the layer table (scripts/eslint/layers.js): add it with the layers it may import.',
    },
  },
  create(context) {
    const file = context.filename;
    const srcDir = path.join(context.cwd, 'src');
    const from = layerOf(srcDir, file);
    if (from === undefined) return {};
    const allowed = LAYERS[from];
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(srcDir, path.resolve(path.dirname(file), spec));
      if (!allowed || to === undefined || to === from) return;
      if (!LAYERS[to]) return context.report({ node, messageId: 'unknown', data: { layer: to } });
      if (!allowed.includes(to))
        context.report({
          node,
          messageId: 'forbidden',
          data: { why: WHY[from], from, to, allowed: allowed.join(', ') || 'none' },
        });
    };
    return {
      Program(node) {
        if (!allowed) context.report({ node, messageId: 'unknown', data: { layer: from } });
      },
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
