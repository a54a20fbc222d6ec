import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * scripts/test-servers/stack.start.sh's retry, without building or starting the operations stack:
 * the script and free-port-offset.js run as they ship, next to a stack.sh whose `start` runs a real
 * program binding the stack's first port + the offset chosen. On its first start the test takes that
 * port with a listener of its own after the offset was found free and before the program binds it, as
 * another connection on the machine may: the program fails with EADDRINUSE, and the start must come up
 * on another offset.
 */
const SCRIPTS = resolve(__dirname, '../../../scripts');

const FAKE_STACK = String.raw`#!/usr/bin/env bash
set -u
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="$TOKENLEDGER_STACK_DIR"
case "$1" in
  build) ;;
  ports) echo 7 ;;
  stop)
    [ -f "$STATE/program.pid" ] && kill "$(cat "$STATE/program.pid")" 2>/dev/null
    rm -rf "$STATE" ;;
  start)
    mkdir -p "$STATE/logs"
    port=$((7 + TOKENLEDGER_STACK_PORT_OFFSET))
    echo "$port" >>"$ROOT/starts"
    if [ "$FAKE_START" = fail ]; then echo "program: no such file" >"$STATE/logs/program.log"; exit 1; fi
    if [ ! -e "$ROOT/taken" ]; then
      # The first start: the test takes the port now, before the program binds it.
      echo "$port" >"$ROOT/wanted"
      until [ -e "$ROOT/taken" ]; do sleep 0.05; done
    fi
    node -e 'require("net").createServer().listen(Number(process.argv[1]), "127.0.0.1", () => console.log("listening"))' "$port" >"$STATE/logs/program.log" 2>&1 &
    echo $! >"$STATE/program.pid"
    echo $! >>"$ROOT/programs"
    until grep -qs listening "$STATE/logs/program.log"; do
      kill -0 "$(cat "$STATE/program.pid")" 2>/dev/null || { echo "program exited:" >&2; cat "$STATE/logs/program.log" >&2; exit 1; }
      sleep 0.05
    done
    echo "export FAKE_STACK_PORT=$port" >"$STATE/stack.env" ;;
esac
`;

/** A tree holding the shipped start script and offset finder next to the fake stack.sh. */
function stackTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'tokenledger-stack-start-'));
  for (const [dir, file] of [
    ['test-servers', 'stack.start.sh'],
    ['test-servers', 'free-port-offset.js'],
  ]) {
    mkdirSync(join(root, 'scripts', dir), { recursive: true });
    copyFileSync(join(SCRIPTS, dir, file), join(root, 'scripts', dir, file));
  }
  mkdirSync(join(root, 'scripts', 'stack'));
  writeFileSync(join(root, 'scripts', 'stack', 'stack.sh'), FAKE_STACK);
  chmodSync(join(root, 'scripts', 'stack', 'stack.sh'), 0o755);
  return root;
}

/** Sources the start script as scripts/test.sh does; resolves to its exit code and what it wrote. */
function sourceStart(root: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn('bash', ['-c', '. scripts/test-servers/stack.start.sh && echo "port=$FAKE_STACK_PORT"'], {
      cwd: root,
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, TMPDIR: root, FAKE_START: 'listen', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const connects = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.end(), done(true)));
    socket.once('error', () => done(false));
  });

describe('scripts/test-servers/stack.start.sh', () => {
  let root: string;
  let taker: Server | null = null;

  beforeEach(() => {
    root = stackTree();
  });

  afterEach(async () => {
    const programs = existsSync(join(root, 'programs')) ? readFileSync(join(root, 'programs'), 'utf8').trim().split('\n') : [];
    for (const pid of programs) {
      try {
        process.kill(Number(pid));
      } catch {
        // It failed to bind and exited.
      }
    }
    await new Promise<void>((done) => (taker ? taker.close(() => done()) : done()));
    taker = null;
    rmSync(root, { recursive: true, force: true });
  });

  it('starts again on other ports when a port found free is taken before its program binds it', async () => {
    const started = sourceStart(root);
    // The first start asks for its port to be taken: take it with a real listener.
    const wanted = join(root, 'wanted');
    while (!existsSync(wanted) || readFileSync(wanted, 'utf8').trim() === '') await sleep(20);
    const takenPort = Number(readFileSync(wanted, 'utf8').trim());
    taker = createServer();
    await new Promise<void>((done) => taker!.listen(takenPort, '127.0.0.1', () => done()));
    writeFileSync(join(root, 'taken'), '');

    const { code, stdout, stderr } = await started;
    expect({ code, stderr }).toMatchObject({ code: 0, stderr: expect.stringMatching(/was taken before its program bound it; starting again on other ports/) });
    const port = Number(/port=(\d+)/.exec(stdout)?.[1]);
    const starts = readFileSync(join(root, 'starts'), 'utf8').trim().split('\n').map(Number);
    expect(starts).toEqual([takenPort, port]);
    expect(port).not.toBe(takenPort);
    // The stack came up on the other port: its program listens there.
    expect(await connects(port)).toBe(true);
  });

  it('does not start again when a start fails for another reason than a taken port', async () => {
    const { code } = await sourceStart(root, { FAKE_START: 'fail' });
    expect(code).not.toBe(0);
    expect(readFileSync(join(root, 'starts'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
