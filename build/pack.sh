#!/usr/bin/env bash
# Packs the generator (analyzer + props) and the runtime into artifacts/packages.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet pack src/SchemaClients.Generator -c Release -o artifacts/packages
dotnet pack src/SchemaClients -c Release -o artifacts/packages
ls -1 artifacts/packages
