#!/usr/bin/env bash
# Mutation testing of the runtime (src/SchemaClients) with the runtime tests, with Stryker.NET 5.1.0
# (build/stryker-config.json: coverage-analysis perTest). Prints the score and the surviving mutants.
# Not part of CI: Http/ alone takes about 20 minutes on 2 cores.
#
#   build/mutation.sh [SCOPE [TEST_FILTER]]
#
#   SCOPE        Http (default), Clients, Files, Serialization, Validation, all, or one file under src/SchemaClients
#                (for example Http/Redactor.cs)
#   TEST_FILTER  a dotnet test --filter expression, to run only the tests that bear on the scope (much faster;
#                the score is then a lower bound: a mutant another test would kill counts as surviving), for
#                example 'FullyQualifiedName~SecretLeakTests'
#
# Reports: artifacts/mutation/<scope>/reports/mutation-report.{html,json}
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/artifacts/tools"
if [ ! -x "$tools/dotnet-stryker" ]; then
  dotnet tool install dotnet-stryker --version 5.1.0 --tool-path "$tools" >/dev/null
fi

scope="${1:-Http}"
filter="${2:-}"
# SCOPE may list several parts, comma-separated; a part that starts with ! is left out (Http,!Http/Redactor.cs)
extra=()
IFS=',' read -r -a parts <<< "$scope"
for part in "${parts[@]}"; do
  not=""
  if [ "${part#!}" != "$part" ]; then not="!"; part="${part#!}"; fi
  case "$part" in
    Http|Clients|Files|Serialization|Validation) extra+=(--mutate "$not**/$part/**/*.cs") ;;
    all) extra+=(--mutate "$not**/*.cs") ;;
    *.cs)
      if [ ! -f "$root/src/SchemaClients/$part" ]; then echo "no file src/SchemaClients/$part" >&2; exit 2; fi
      extra+=(--mutate "$not**/$part") ;;
    *) echo "usage: $0 [Http|Clients|Files|Serialization|Validation|all|FILE.cs[,!PART...] [TEST_FILTER]]" >&2; exit 2 ;;
  esac
done

if [ -n "$filter" ]; then extra+=(--test-case-filter "$filter"); fi
out="$root/artifacts/mutation/$(printf '%s' "$scope" | tr '/,!' '_+-')"
rm -rf "$out"
mkdir -p "$out"
cd "$root/src/SchemaClients"
set +e
"$tools/dotnet-stryker" --config-file "$root/build/stryker-config.json" --log-to-file "${extra[@]}" --output "$out" 2>&1 | tee "$out/stryker.log" | grep -E "mutation score|Killed|Survived|No coverage|Timeout"
stryker_status=${PIPESTATUS[0]}
set -e
echo "dotnet-stryker exited with $stryker_status"

report="$out/reports/mutation-report.json"
if [ ! -f "$report" ]; then
  echo "no report was written (dotnet-stryker exit $stryker_status); see $out/stryker.log and $out/logs/" >&2
  exit 1
fi

python3 - "$report" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
total = {}
print("%-48s %7s %8s %10s %7s %6s" % ("file", "killed", "survived", "no cover", "timeout", "score"))
for name, f in sorted(data["files"].items()):
    counts = {}
    for m in f["mutants"]:
        counts[m["status"]] = counts.get(m["status"], 0) + 1
        total[m["status"]] = total.get(m["status"], 0) + 1
    k, s, n, t = counts.get("Killed", 0), counts.get("Survived", 0), counts.get("NoCoverage", 0), counts.get("Timeout", 0)
    valid = k + s + n + t
    if valid:
        print("%-48s %7d %8d %10d %7d %5.1f%%" % (name.split("src/SchemaClients/")[-1], k, s, n, t, 100.0 * (k + t) / valid))
k, s, n, t = total.get("Killed", 0), total.get("Survived", 0), total.get("NoCoverage", 0), total.get("Timeout", 0)
valid = k + s + n + t
print("score %.1f%% (%d killed, %d timeout, %d survived, %d not covered)" % (100.0 * (k + t) / max(valid, 1), k, t, s, n))
# Mutants marked equivalent in the source ("// Stryker disable once <Mutator> : why") are not tested and do not count;
# the filters' own ignores (mutate filter, block already covered) are not listed.
marked = [(name, m) for name, f in sorted(data["files"].items()) for m in f["mutants"]
          if m["status"] == "Ignored" and not m.get("statusReason", "").startswith("Removed by")]
print("marked equivalent in the source: %d" % len(marked))
for name, m in marked:
    print("  %s:%d %s: %s" % (name.split("src/SchemaClients/")[-1], m["location"]["start"]["line"], m["mutatorName"], m.get("statusReason", "")[:120]))
print()
print("surviving and uncovered mutants:")
for name, f in sorted(data["files"].items()):
    for m in f["mutants"]:
        if m["status"] in ("Survived", "NoCoverage"):
            print("  %s:%d %s %s: %s" % (name.split("src/SchemaClients/")[-1], m["location"]["start"]["line"], m["status"], m["mutatorName"], m.get("replacement", "")[:100].replace("\n", " ")))
PY
