import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Packages a source file loads when it runs: value imports and requires (type-only imports are erased). */
function runtimeImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+([^;]*?)\s+from\s+'([^']+)'/gms)) {
    const clause = m[1];
    const typeOnly =
      clause.startsWith('type ') ||
      (/^\{[^}]*\}$/s.test(clause) &&
        clause
          .slice(1, -1)
          .split(',')
          .every((s) => s.trim() === '' || s.trim().startsWith('type ')));
    if (!typeOnly) found.push(m[2]);
  }
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) found.push(m[1]);
  for (const m of text.matchAll(/\b(?:require|import)\('([^']+)'\)/g)) found.push(m[1]);
  return found;
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

describe('the collector service package', () => {
  it('declares every package its code loads at run time as a dependency', () => {
    const declared = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    const missing = new Map<string, string>();
    for (const file of sources(join(root, 'src'))) {
      for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        const name = packageOf(specifier);
        if (!declared.includes(name)) missing.set(name, file.slice(root.length + 1));
      }
    }
    expect(Object.fromEntries(missing)).toEqual({});
  });
});
