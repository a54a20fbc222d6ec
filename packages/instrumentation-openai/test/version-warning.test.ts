import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** An app whose node_modules holds an `openai` of the given version (a stand-in with the v7 shape). */
function appWithOpenai(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tl-openai-version-'));
  mkdirSync(join(dir, 'node_modules', 'openai'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'openai', 'package.json'), JSON.stringify({ name: 'openai', version, main: 'index.js' }));
  writeFileSync(join(dir, 'node_modules', 'openai', 'index.js'), 'class OpenAI {}\nmodule.exports = { OpenAI };\n');
  writeFileSync(
    join(dir, 'app.cjs'),
    `const { OpenAIInstrumentation } = require(${JSON.stringify(join(__dirname, '..', 'dist'))});
new OpenAIInstrumentation();
require('openai');
delete require.cache[require.resolve('openai')];
require('openai');
console.log('app ran');
`,
  );
  return dir;
}

describe('an openai version outside the supported range', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each(['5.23.0', '8.0.0'])(
    'openai %s: the app runs and one clear warning says calls are not instrumented',
    async (version) => {
      const dir = appWithOpenai(version);
      dirs.push(dir);
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(dir, 'app.cjs')]);
      expect(stdout.trim()).toBe('app ran');
      const warnings = stderr.split('\n').filter((line) => line.includes('outside the supported range'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`openai ${version}`);
      expect(warnings[0]).toContain('NOT instrumented');
    },
    30_000,
  );

  it('a supported version logs no such warning', async () => {
    const dir = appWithOpenai('7.1.0');
    dirs.push(dir);
    const { stderr } = await promisify(execFile)(process.execPath, [join(dir, 'app.cjs')]);
    expect(stderr).not.toContain('outside the supported range');
  }, 30_000);
});
