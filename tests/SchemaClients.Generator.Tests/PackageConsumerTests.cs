using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using SchemaClients.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace SchemaClients.Generator.Tests;

/// <summary>
/// The packages as a user gets them: packed into a local feed with a version of their own, restored into a packages
/// folder of the consumer's own (so no cached copy stands in), and built by <c>dotnet build</c> outside the repository.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output)
{
    [Fact]
    public void DeletingASchemaFileRemovesItsTypesOnTheNextBuild()
    {
        string work = Path.Combine(Path.GetTempPath(), "schemaclients-consumer-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string app = Path.Combine(work, "app");
        string version = "0.1.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Path.Combine(app, "schemas", "oxen"));
        Directory.CreateDirectory(Path.Combine(app, "schemas", "fal"));
        try
        {
            foreach (string project in new[] { "src/SchemaClients.Generator", "src/SchemaClients" })
            {
                string packed = Run(TestPaths.RepositoryRoot, "pack", project, "-c", "Release", "--no-restore", "-o", feed, "-p:Version=" + version);
                Assert.DoesNotContain("warning", packed, StringComparison.OrdinalIgnoreCase); // package validation included
            }

            AssertPackageMetadata(Path.Combine(feed, "SchemaClients." + version + ".nupkg"), "lib/net8.0/SchemaClients.xml");
            AssertPackageMetadata(Path.Combine(feed, "SchemaClients.Generator." + version + ".nupkg"), "docs/diagnostics/SCG0001.md");
            Assert.True(File.Exists(Path.Combine(feed, "SchemaClients." + version + ".snupkg")), "the runtime's symbol package");

            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><add key="local" value="{feed}" /></packageSources>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(work, "packages")}" /></config>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <RootNamespace>App</RootNamespace>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="SchemaClients" Version="{version}" />
                    <PackageReference Include="SchemaClients.Generator" Version="{version}" PrivateAssets="all" />
                    <!-- referenced by URI from schemas/jobs/image.json: the props must pass the metadata to the generator -->
                    <AdditionalFiles Include="shared/size.json" SchemaClientsUri="https://schemas.example.test/size.json" />
                  </ItemGroup>
                </Project>
                """);
            Directory.CreateDirectory(Path.Combine(app, "shared"));
            Directory.CreateDirectory(Path.Combine(app, "schemas", "jobs"));
            File.WriteAllText(Path.Combine(app, "shared", "size.json"), """{ "type": "integer", "multipleOf": 64 }""");
            File.WriteAllText(Path.Combine(app, "schemas", "jobs", "image.json"), """{ "title": "Image", "type": "object", "properties": { "width": { "$ref": "https://schemas.example.test/size.json" } } }""");
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using System.Linq;

                foreach (System.Type type in typeof(Marker).Assembly.GetTypes().OrderBy(t => t.FullName, System.StringComparer.Ordinal))
                {
                    if (type.Name.EndsWith("Client", System.StringComparison.Ordinal)) System.Console.WriteLine(type.FullName);
                }

                // The $ref to the file known by its URI resolved: 1000 is not a multiple of 64.
                if (new App.Jobs.Image.Image { Width = 1000 }.IsValid() || !new App.Jobs.Image.Image { Width = 1024 }.IsValid()) System.Console.WriteLine("the remote $ref did not resolve");

                internal sealed class Marker { }
                """);
            File.Copy(Path.Combine(TestPaths.Schemas, "oxen", "flux-2-flex.json"), Path.Combine(app, "schemas", "oxen", "flux-2-flex.json"));
            File.Copy(Path.Combine(TestPaths.Schemas, "fal", "flux-2-flex.json"), Path.Combine(app, "schemas", "fal", "flux-2-flex.json"));

            Run(app, "build");
            string dll = Path.Combine(app, "bin", "Debug", "net10.0", "App.dll");
            Assert.Equal(new[] { "App.Fal.Flux2Flex.FalFlux2FlexClient", "App.Oxen.Flux2Flex.OxenFlux2FlexClient" }, Lines(Run(app, dll)));

            // Nothing but the deletion: MSBuild sees no newer input, so only the schema list kept as an input compiles again.
            File.Delete(Path.Combine(app, "schemas", "oxen", "flux-2-flex.json"));
            Run(app, "build", "--no-restore");
            Assert.Equal(new[] { "App.Fal.Flux2Flex.FalFlux2FlexClient" }, Lines(Run(app, dll)));

            // A diagnostic's help link opens the page that ships in the package the consumer restored.
            Directory.CreateDirectory(Path.Combine(app, "schemas", "notes"));
            File.WriteAllText(Path.Combine(app, "schemas", "notes", "readme.json"), """{ "name": "not a schema" }""");
            string sarif = Path.Combine(app, "diagnostics.sarif");
            Run(app, "build", "--no-restore", "-p:TreatWarningsAsErrors=false", "-p:ErrorLog=" + sarif + "%2Cversion=2.1");
            string helpUri = HelpUriOf(sarif, "SCG0002");
            var page = new Uri(helpUri);
            Assert.True(page.IsFile, helpUri);
            Assert.StartsWith(Path.Combine(work, "packages"), page.LocalPath, StringComparison.Ordinal);
            Assert.EndsWith("SCG0002.md", page.LocalPath, StringComparison.Ordinal);
            Assert.Contains("# SCG0002", File.ReadAllText(page.LocalPath), StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // a build server may still hold a file; the temporary folder is left behind
            }
        }
    }

    /// <summary>The help link SARIF gives for the rule <paramref name="id"/> (2.1: runs[].tool.driver.rules[].helpUri).</summary>
    private static string HelpUriOf(string sarif, string id)
    {
        using System.Text.Json.JsonDocument log = System.Text.Json.JsonDocument.Parse(File.ReadAllText(sarif));
        foreach (System.Text.Json.JsonElement run in log.RootElement.GetProperty("runs").EnumerateArray())
        {
            foreach (System.Text.Json.JsonElement rule in run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
            {
                if (rule.GetProperty("id").GetString() == id)
                {
                    Assert.True(rule.TryGetProperty("helpUri", out System.Text.Json.JsonElement uri), id + " has no helpUri in " + sarif);
                    return uri.GetString()!;
                }
            }
        }

        throw new Xunit.Sdk.XunitException(id + " was not reported in " + sarif);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>What nuget.org shows and what a user's tools need: licence, readme, description, tags, repository, and the XML docs or help pages.</summary>
    private static void AssertPackageMetadata(string package, string expectedEntry)
    {
        using System.IO.Compression.ZipArchive zip = System.IO.Compression.ZipFile.OpenRead(package);
        System.IO.Compression.ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspecEntry.Open();
        System.Xml.Linq.XElement metadata = System.Xml.Linq.XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")), package + ": description");
        Assert.False(string.IsNullOrWhiteSpace(Value("tags")), package + ": tags");
        Assert.Equal("git", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("type")?.Value);
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
        Assert.Contains(zip.Entries, e => e.FullName == expectedEntry);
    }

    private string Run(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        System.Threading.Tasks.Task<string> error = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet " + string.Join(' ', args) + " did not finish in 5 minutes");
        }

        Assert.True(process.ExitCode == 0, "dotnet " + string.Join(' ', args) + " exited " + process.ExitCode + ":\n" + text + "\n" + error.Result);
        output.WriteLine("dotnet " + string.Join(' ', args) + ": ok");
        return text;
    }
}
