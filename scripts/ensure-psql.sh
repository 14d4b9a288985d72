#!/usr/bin/env bash
# Makes sure the psql binary (Debian's postgresql-client) is on PATH for the pgwire tests:
# installs it with apt-get only when psql is missing; does nothing otherwise.
set -euo pipefail
if command -v psql >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends postgresql-client
command -v psql >/dev/null 2>&1 || { echo "ensure-psql: psql still missing after installing postgresql-client" >&2; exit 1; }
