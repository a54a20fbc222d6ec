import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * scripts/apt-install.sh without root and without apt: `dpkg-query` and `apt-get` are fakes on PATH
 * that write what they are asked to a log, `apt-get` taking a moment over each call so that two runs
 * side by side would interleave in the log if they did not take turns on the lock.
 */
const SCRIPT = resolve(__dirname, '../../../scripts/apt-install.sh');

describe('scripts/apt-install.sh', () => {
  let dir: string;
  let log: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-apt-install-'));
    log = join(dir, 'log');
    writeFileSync(log, '');
    const fake = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    // Packages named installed-* are installed.
    fake('dpkg-query', `case "\${@: -1}" in installed-*) printf 'install ok installed' ;; *) exit 1 ;; esac`);
    fake('apt-get', `echo "begin $*" >>"${log}"; sleep 0.3; echo "end $*" >>"${log}"`);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn('bash', [SCRIPT, ...args], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, TMPDIR: dir } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stderr }));
    });
  const calls = () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

  it('refuses to run without a package named', async () => {
    expect(await run()).toEqual({ code: 2, stderr: 'apt-install.sh: name the packages to install\n' });
  });

  it('leaves apt alone when every package is installed already', async () => {
    expect((await run('installed-a', 'installed-b')).code).toBe(0);
    expect(calls()).toEqual([]);
  });

  it('installs only the missing packages, apt waiting for its lock instead of failing', async () => {
    expect((await run('installed-a', 'chromium', 'docker-compose')).code).toBe(0);
    expect(calls()).toEqual([
      'begin -o DPkg::Lock::Timeout=600 update -qq',
      'end -o DPkg::Lock::Timeout=600 update -qq',
      'begin -o DPkg::Lock::Timeout=600 install -y -qq chromium docker-compose',
      'end -o DPkg::Lock::Timeout=600 install -y -qq chromium docker-compose',
    ]);
  });

  it('takes turns with another run: one installs after the other has finished', async () => {
    const [a, b] = await Promise.all([run('chromium'), run('docker-compose')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const order = calls().map((line) => line.replace(/ -o \S+ /, ' ').replace(/ -y -qq| -qq/, ''));
    // Each run's update and install, whole, before the other's begins.
    const first = order[2].split(' ').at(-1)!;
    const second = first === 'chromium' ? 'docker-compose' : 'chromium';
    expect(order).toEqual([
      'begin update',
      'end update',
      `begin install ${first}`,
      `end install ${first}`,
      'begin update',
      'end update',
      `begin install ${second}`,
      `end install ${second}`,
    ]);
  });

  it('waits for the lock another install holds', async () => {
    const lock = join(dir, 'tokenledger-apt.lock');
    const held = join(dir, 'held');
    const holder = spawn('flock', [lock, '-c', `touch "${held}"; sleep 1; echo released >>"${log}"`]);
    const released = new Promise((r) => holder.on('close', r));
    while (!existsSync(held)) await new Promise((r) => setTimeout(r, 20));
    expect((await run('chromium')).code).toBe(0);
    await released;
    expect(calls()[0]).toBe('released');
  });
});
