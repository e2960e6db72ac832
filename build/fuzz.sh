#!/usr/bin/env bash
# Runs the generator's fuzz test for any count and seed and prints the counts:
#   build/fuzz.sh [COUNT] [SEED]      (defaults: 10000 documents, seed 20261201)
# Each document is a mutated schema (bytes, structure or a random schema) run through the generator driver with its
# output compiled. Failing documents are written to artifacts/test-reports/fuzz-failures.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
seed="${2:-20261201}"
dotnet build tests/SchemaClients.Generator.Tests -c Release -v q -nologo >/dev/null
SCHEMACLIENTS_FUZZ_COUNT="$count" SCHEMACLIENTS_FUZZ_SEED="$seed" \
  dotnet test tests/SchemaClients.Generator.Tests -c Release --no-build --filter "FullyQualifiedName~FuzzTests" \
  --logger "console;verbosity=detailed" | sed -n '/^seed /,/^\s*$/p;/Passed!\|Failed!/p'
