import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type RunningProcess } from '../support/run-process';
import { GPT_4O_CHAT, otlpProtobufBody } from '../support/spans';

jest.setTimeout(90_000);

/**
 * What a new user does from the repository root, as the README says: create a key with the CLI
 * (`npx tokenledger keys create`), start the service (`./run start` runs `npm start` once built),
 * and send spans with the key. Both must use the one store in the data directory.
 */
describe('one store wherever you stand', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let service: RunningProcess | null = null;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tokenledger-home-'));
    env = { ...process.env, HOME: home, TOKENLEDGER_PORT: '0', TOKENLEDGER_GRPC_PORT: '0', TOKENLEDGER_ADMIN_KEY: '' };
    for (const name of ['XDG_DATA_HOME', 'TOKENLEDGER_DATA_DIR', 'TOKENLEDGER_SQLITE_PATH', 'TOKENLEDGER_STORE']) delete env[name];
  });
  afterEach(async () => {
    await service?.stop();
    service = null;
    rmSync(home, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const run = runProcess('npx', ['tokenledger', ...args], { env });
    let stdout = '';
    let stderr = '';
    run.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    run.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await run.exited();
    return { code, stdout, stderr };
  }

  it('has the CLI and the service started from the repository root share the store in ~/.local/share/tokenledger', async () => {
    const store = join(home, '.local', 'share', 'tokenledger', 'tokenledger.sqlite');
    const created = await cli('keys', 'create', '--role', 'ingest');
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(`store: sqlite ${store}`);
    const key = created.stdout.trim();
    expect(key).toMatch(/^tl_ingest_/);

    service = runProcess('npm', ['start', '--silent'], { env });
    const url = await service.listening();
    expect(service.output()).toContain(`store: sqlite ${store}`);

    // The key the CLI made is known to the service: it is out of open mode and takes the key.
    const body = new Uint8Array(await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }]));
    const send = (headers: Record<string, string>) =>
      fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', ...headers } });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: `Bearer ${key}` })).status).toBe(200);

    const listed = await cli('keys', 'list');
    expect(listed.stderr).toContain(`store: sqlite ${store}`);
    expect(listed.stdout).toMatch(/\tingest\t\*\t/);
  });

  it('follows XDG_DATA_HOME and TOKENLEDGER_DATA_DIR, and lets TOKENLEDGER_SQLITE_PATH name the file itself', async () => {
    env.XDG_DATA_HOME = join(home, 'xdg');
    expect((await cli('keys', 'list')).stderr).toContain(`store: sqlite ${join(home, 'xdg', 'tokenledger', 'tokenledger.sqlite')}`);
    env.TOKENLEDGER_DATA_DIR = join(home, 'data');
    expect((await cli('keys', 'list')).stderr).toContain(`store: sqlite ${join(home, 'data', 'tokenledger.sqlite')}`);
    env.TOKENLEDGER_SQLITE_PATH = join(home, 'elsewhere.sqlite');
    expect((await cli('keys', 'list')).stderr).toContain(`store: sqlite ${join(home, 'elsewhere.sqlite')}`);
  });

  it('names the store it could not open, and exits non-zero', async () => {
    // A regular file where the store's directory should be.
    writeFileSync(join(home, 'not-a-dir'), '');
    env.TOKENLEDGER_SQLITE_PATH = join(home, 'not-a-dir', 'tokenledger.sqlite');
    const failed = await cli('keys', 'list');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`tokenledger: cannot open the store (sqlite ${env.TOKENLEDGER_SQLITE_PATH}): `);
  });
});
