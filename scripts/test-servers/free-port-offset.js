// Prints a port offset at which every base port of the operations stack (scripts/stack/stack.sh ports)
// can be bound on 127.0.0.1 now, so a test run's stack meets no other run's. Tries random offsets,
// multiples of 10 from 20000, up to 30 times.
const { execFileSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const stack = path.join(__dirname, '..', 'stack', 'stack.sh');
const basePorts = execFileSync('bash', [stack, 'ports'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
const highest = Math.max(...basePorts);

const free = (port) =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

(async () => {
  for (let attempt = 0; attempt < 30; attempt++) {
    const offset = 20000 + 10 * Math.floor(Math.random() * ((65535 - highest - 20000) / 10));
    const results = await Promise.all(basePorts.map((p) => free(p + offset)));
    if (results.every(Boolean)) {
      console.log(offset);
      return;
    }
  }
  console.error('free-port-offset: found no offset whose stack ports are all free');
  process.exit(1);
})();
