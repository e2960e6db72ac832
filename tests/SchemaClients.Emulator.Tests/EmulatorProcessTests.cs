using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace SchemaClients.Emulator.Tests;

/// <summary>The emulator as a process, the way a user or a service manager runs it.</summary>
public sealed class EmulatorProcessTests
{
    private static string EmulatorDll => typeof(ProviderEmulator).Assembly.Location;

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = SchemaClients.Testing.TestRepository.Root };
        start.ArgumentList.Add(EmulatorDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task HelpPrintsTheUsageAndDoesNotStartTheServer(string flag)
    {
        using Process process = Start(flag);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the emulator did not exit after " + flag);
        Assert.Equal(0, process.ExitCode);
        string text = await output;
        Assert.Contains("usage: SchemaClients.Emulator", text, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromAFolderOutsideTheRepositoryItServesItsBuiltInSchemas()
    {
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-emulator-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            start.ArgumentList.Add(EmulatorDll);
            using Process process = Process.Start(start)!;
            try
            {
                string? line;
                string? baseUrl = null;
                string? document = null;
                bool builtIn = false;
                while ((line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) != null && document == null)
                {
                    baseUrl ??= line.StartsWith("listening on ", StringComparison.Ordinal) ? line.Split(' ')[2] : null;
                    builtIn |= line.Contains("built into the emulator", StringComparison.Ordinal);
                    document = line.StartsWith("  GET ", StringComparison.Ordinal) ? line.Substring(6).Trim() : null;
                }

                Assert.True(builtIn, "the emulator did not say it serves its built-in schemas");
                Assert.NotNull(document);
                using var http = new System.Net.Http.HttpClient();
                using var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Get, baseUrl + document);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer emulator-key");
                request.Headers.TryAddWithoutValidation("X-API-Key", "emulator-key");
                using System.Net.Http.HttpResponseMessage response = await http.SendAsync(request);
                string body = await response.Content.ReadAsStringAsync();
                // The first document listed is Oxen's model object (Authorization: Bearer), the same bytes as schemas/oxen/flux-2-flex.json.
                Assert.True(response.IsSuccessStatusCode, document + ": " + response.StatusCode + " " + body);
                string checkedIn = File.ReadAllText(Path.Combine(SchemaClients.Testing.TestRepository.Root, "schemas", "oxen", "flux-2-flex.json"));
                Assert.Equal(System.Text.Json.JsonDocument.Parse(checkedIn).RootElement.GetProperty("id").GetString(), System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AnUnknownOptionIsBadUsage()
    {
        using Process process = Start("--foo");
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("'--foo' is not an option", process.StandardError.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermStopsItWithinFiveSeconds()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGTERM is a POSIX signal
        }

        using Process process = Start("--port", "0");
        string? line;
        do
        {
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        while (line != null && !line.StartsWith("listening on", StringComparison.Ordinal));

        Assert.NotNull(line);
        var clock = Stopwatch.StartNew();
        using (Process kill = Process.Start("kill", "-TERM " + process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            kill.WaitForExit();
        }

        bool exited = process.WaitForExit(TimeSpan.FromSeconds(5));
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.True(exited, "SIGTERM did not stop the emulator within 5 s");
        Assert.Equal(0, process.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }
}
