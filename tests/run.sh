#!/usr/bin/env bash
# The README's test command: every test, the everyday ones first, then the long mutation category
# (3,000 damaged copies of each shipped scenario), which takes as long as all the others together.
# `bash tests/run.sh everyday` runs the everyday tests only. Needs the .NET 10 SDK, and Debian's
# chromium for the report's browser test (tests/ImpactModel.Tests/Reporting/BrowserTests.cs), which
# this script installs when /usr/bin/chromium is missing (as root, or through sudo).
set -uo pipefail
cd "$(dirname "$0")/.."

install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "tests/run.sh: /usr/bin/chromium is missing and this is not root (no sudo): install Debian's chromium package; the browser test fails without it" >&2
      return 1
    fi
  fi
  echo "tests/run.sh: installing Debian's chromium for the report's browser test" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
    || { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; } \
    || { echo "tests/run.sh: could not install chromium; the browser test will fail" >&2; return 1; }
}

# A failed install is not fatal here: the browser test then fails and says why.
install_chromium

dotnet test ImpactModel.sln -c Release --filter "Category!=Mutation-Long"
everyday=$?
[ "${1:-}" = "everyday" ] && exit "$everyday"
dotnet test ImpactModel.sln -c Release --filter "Category=Mutation-Long"
long=$?
[ "$everyday" -ne 0 ] && exit "$everyday"
exit "$long"
