import { CONFIG_LEAVES, CONFIG_SECTIONS } from './introspect.ts';

/**
 * The commented sample that `sellbridge init` writes: every setting, its description, its default and its
 * environment variable, generated from the schema so it cannot drift. Optional settings without a default
 * are written commented out.
 */
export function sampleConfigYaml(): string {
  const lines: string[] = [
    '# Sellbridge configuration. Every setting is shown with its default; delete what you do not change.',
    '# Later sources win: defaults < this file < SELLBRIDGE_* environment < command-line flags.',
    '# Secrets (marked) are better given as environment variables than written here.',
    '',
  ];
  for (const section of CONFIG_SECTIONS) {
    lines.push(`# ${section.description}`, `${section.key}:`);
    const opened = new Set<string>([section.key]);
    for (const leaf of CONFIG_LEAVES.filter((l) => l.path[0] === section.key)) {
      // Open the nested mappings (e.g. amazon.sqs) the first time a leaf below them appears.
      for (let depth = 2; depth < leaf.path.length; depth++) {
        const prefix = leaf.path.slice(0, depth).join('.');
        if (!opened.has(prefix)) {
          opened.add(prefix);
          lines.push(`${'  '.repeat(depth - 1)}${leaf.path[depth - 1]}:`);
        }
      }
      const indent = '  '.repeat(leaf.path.length - 1);
      lines.push(`${indent}# ${leaf.description}${leaf.secret ? ' [secret]' : ''} (env ${leaf.env})`);
      const key = leaf.path.at(-1)!;
      if (leaf.default === undefined) lines.push(`${indent}# ${key}: ""`);
      else lines.push(`${indent}${key}: ${JSON.stringify(leaf.default)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
