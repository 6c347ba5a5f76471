#!/usr/bin/env bash
# Runs inside `dbus-run-session`: starts a real gnome-keyring Secret Service on the private
# session bus, unlocked with a throw-away password, then runs the tests and the linters.
set -euo pipefail
bin=$1; shift
export ASSETDESK_TEST_KEYRING=secret-service
# gnome-keyring creates its "login" collection under $HOME; keep it out of the user's real home.
HOME=$(mktemp -d -t assetdesk-test-home.XXXXXX)
export HOME
trap 'rm -rf "$HOME"' EXIT
echo -n assetdesk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
# tests/conftest.py names the running test here; a test that hangs leaves it with every stack.
export ASSETDESK_HANG_REPORT=$HOME/hang-report.txt
status=0
"$bin/pytest" "$@" || status=$?
"$bin/ruff" check || status=1
"$bin/ruff" format --check || status=1
"$bin/mypy" || status=1
"$bin/lint-imports" --no-cache --no-logo || status=1
if [ -s "$ASSETDESK_HANG_REPORT" ]; then
  "$bin/python" tests/hang_summary.py "$ASSETDESK_HANG_REPORT"
  status=1
fi
exit $status
