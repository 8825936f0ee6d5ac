#!/usr/bin/env bash
# The README's test command: every test, the everyday ones first, then the long mutation category
# (3,000 damaged copies of each shipped scenario), which takes as long as all the others together.
# `bash tests/run.sh everyday` runs the everyday tests only. Needs only the .NET 10 SDK.
set -uo pipefail
cd "$(dirname "$0")/.."
dotnet test ImpactModel.sln -c Release --filter "Category!=Mutation-Long"
everyday=$?
[ "${1:-}" = "everyday" ] && exit "$everyday"
dotnet test ImpactModel.sln -c Release --filter "Category=Mutation-Long"
long=$?
[ "$everyday" -ne 0 ] && exit "$everyday"
exit "$long"
