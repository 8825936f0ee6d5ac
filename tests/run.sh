#!/usr/bin/env bash
# The README's test command: every test, the everyday ones first, then the native build's (published
# with `dotnet publish -p:ImpactNative=true` and run against the `dotnet build` output, verb by verb,
# tests/ImpactModel.Tests/Published), then the long mutation category (3,000 damaged copies of each
# shipped scenario), which takes as long as all the others together.
# `bash tests/run.sh everyday` runs the everyday tests only. Needs the .NET 10 SDK, Debian's
# chromium for the report's browser test (tests/ImpactModel.Tests/Reporting/BrowserTests.cs), the
# DejaVu fonts the charts are drawn in, PostgreSQL's server binaries for the results store's tests
# (tests/ImpactModel.Tests/Postgres/PostgresServer.cs starts a server of its own unless
# IMPACT_TEST_POSTGRES names one), and a C compiler to link the native build, which this script
# installs when missing (as root, or through sudo).
set -uo pipefail
cd "$(dirname "$0")/.."

install_packages() {
  local packages=()
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
  # The native build links with /usr/bin or /usr/local/bin's clang, else gcc (ImpactModel.Worker.csproj).
  { [ -x /usr/bin/clang ] || [ -x /usr/local/bin/clang ] || command -v gcc >/dev/null 2>&1; } || packages+=(gcc)
  compgen -G '/usr/lib/*/crt1.o' >/dev/null || packages+=(libc6-dev)
  [ ${#packages[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "tests/run.sh: ${packages[*]} missing and this is not root (no sudo): install them; the browser, chart, PostgreSQL store and native build tests fail without them" >&2
      return 1
    fi
  fi
  echo "tests/run.sh: installing ${packages[*]} (the report's browser test, the charts' font, the store tests' PostgreSQL server, the native build's linker)" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}" \
    || { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"; } \
    || { echo "tests/run.sh: could not install ${packages[*]}; the tests that need them will fail" >&2; return 1; }
}

# A failed install is not fatal here: the browser test then fails and says why.
install_packages

# A crashed test host is a failure like any other (the libSkiaSharp segfaults once seen here were
# ScottPlot's marker paths freed mid-draw, fixed in src/ImpactModel.Reporting/Charts/HeldPathMarker.cs);
# the kernel's last segfault line is printed to say where it happened.
attempt_log=$(mktemp)
native_dir=$(mktemp -d)
trap 'rm -f "$attempt_log"; rm -rf "$native_dir"' EXIT
dotnet test ImpactModel.sln -c Release --filter "Category!=Mutation-Long&Category!=Published" 2>&1 | tee "$attempt_log"
everyday=${PIPESTATUS[0]}
if [ "$everyday" -ne 0 ] && grep -q "Test host process crashed" "$attempt_log"; then
  echo "tests/run.sh: the test host crashed: $(dmesg 2>/dev/null | grep segfault | tail -1)" >&2
fi
[ "${1:-}" = "everyday" ] && exit "$everyday"

# The native build, published as a user would (one command), then every verb of it against the
# `dotnet build` output (Category=Published) and the serve tests with it in place of `dotnet impact.dll`
# (IMPACT_TEST_EXECUTABLE, tests/ImpactModel.Tests/Support/ImpactProcess.cs). Publishing it beside the
# everyday tests, from a copy of the sources, saved nothing on two cores (9 min 23 s against 9 min 8 s).
if dotnet publish src/ImpactModel.Worker -c Release -p:ImpactNative=true -o "$native_dir" --nologo; then
  IMPACT_TEST_EXECUTABLE="$native_dir/impact" dotnet test ImpactModel.sln -c Release --no-build \
    --filter "Category=Published|FullyQualifiedName~ImpactModel.Tests.Serve.ServeTests"
  native=$?
else
  echo "tests/run.sh: the native build could not be published (is a C compiler installed?)" >&2
  native=1
fi

dotnet test ImpactModel.sln -c Release --filter "Category=Mutation-Long"
long=$?
[ "$everyday" -ne 0 ] && exit "$everyday"
[ "$native" -ne 0 ] && exit "$native"
exit "$long"
