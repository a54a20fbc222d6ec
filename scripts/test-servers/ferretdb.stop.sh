#!/usr/bin/env bash
# Stops the FerretDB that ferretdb.start.sh started in the calling shell (test.sh), and removes its data.
. "$(dirname "${BASH_SOURCE[0]}")/stop-recorded-server.sh" ferretdb
