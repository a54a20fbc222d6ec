#!/usr/bin/env bash
# Stops the Verdaccio that verdaccio.start.sh started in the calling shell (test.sh), and removes what
# was published into it.
. "$(dirname "${BASH_SOURCE[0]}")/stop-recorded-server.sh" verdaccio
