#!/usr/bin/env bash
# Build overhead of the generator for a package consumer. Packs the packages (build/pack.sh), then builds two
# console apps outside the repository, each with its own packages folder so no stale copy is used:
#   generated: references SchemaClients.Generator and SchemaClients, with the 4 schemas of schemas/
#   checked-in: references SchemaClients only, with the files the generator wrote for the first app checked in
# Each is built once, then ROUNDS times incrementally after touching Program.cs (the compile runs, the generator
# runs from its cache). Prints the median wall time of each and the overhead.
#   build/consumer-overhead.sh [ROUNDS] [WORKDIR]    (defaults: 7 rounds, a fresh temporary folder)
# The compiler server is whatever the environment says (UseSharedCompilation); the script prints it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-7}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
"$repo/build/pack.sh" >/dev/null
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -1)"

make_app() { # name, with-generator
  local dir="$work/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$dir/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><add key="local" value="$repo/artifacts/packages" /></packageSources>
  <config><add key="globalPackagesFolder" value="$dir/.packages" /></config>
</configuration>
XML
  local generator=""
  if [ "$2" = yes ]; then generator="<PackageReference Include=\"SchemaClients.Generator\" Version=\"$version\" PrivateAssets=\"all\" />"; fi
  cat > "$dir/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <RootNamespace>App</RootNamespace>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
    <CompilerGeneratedFilesOutputPath>obj/generated</CompilerGeneratedFilesOutputPath>
    <DefaultItemExcludes>\$(DefaultItemExcludes);obj/**</DefaultItemExcludes>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="SchemaClients" Version="$version" />
    $generator
  </ItemGroup>
</Project>
XML
  echo 'System.Console.WriteLine(typeof(App.Oxen.Flux2Flex.OxenFlux2FlexClient).Name);' > "$dir/Program.cs"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # dir
  local dir="$1" times=()
  (cd "$dir" && dotnet build -nologo -v q >/dev/null)
  for _ in $(seq "$rounds"); do
    touch "$dir/Program.cs"
    local start end
    start=$(date +%s%N)
    (cd "$dir" && dotnet build --no-restore -nologo -v q >/dev/null)
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | median
}

make_app generated yes
cp -r "$repo/schemas" "$work/generated/schemas"
(cd "$work/generated" && dotnet build -nologo -v q >/dev/null)
make_app checked-in no
mkdir -p "$work/checked-in/Generated"
find "$work/generated/obj/generated" -name '*.g.cs' -exec cp {} "$work/checked-in/Generated/" \;
files=$(ls "$work/checked-in/Generated" | wc -l)

echo "compiler server (UseSharedCompilation): ${UseSharedCompilation:-default (on)}; $rounds rounds each; $files generated files"
g=$(measure "$work/generated")
c=$(measure "$work/checked-in")
echo "warm incremental build, median: with the generator ${g} ms; generated files checked in ${c} ms"
awk -v g="$g" -v c="$c" 'BEGIN { printf "overhead: %+.1f%%\n", (g - c) * 100 / c }'
