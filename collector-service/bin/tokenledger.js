#!/usr/bin/env node
// The collector service's command. `tokenledger start` runs the service (the API and the built
// dashboard) from this installed package; every other command is the administration CLI (keys, reprice).
'use strict';
const args = process.argv.slice(2);
if (args[0] === 'start' && args.length === 1) {
  require('../dist/main');
} else {
  require('../dist/cli')
    .main(args)
    .then((code) => (process.exitCode = code));
}
