using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SchemaClients.Emulator;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// The sample as a user runs it, in its own process: with the provider's key set it calls the provider, and the
/// SchemaClients__{Provider}__* variables point it at a loopback server instead (here the emulator, as a stand-in
/// for a proxy or a recording server), without the sample starting an emulator of its own.
/// </summary>
public sealed class SampleTests(Xunit.Abstractions.ITestOutputHelper output_)
{
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    private static string Root => SchemaClients.Testing.TestRepository.Root;

    private static string SampleDll
    {
        get
        {
            // bin/<Configuration>/net10.0/ of this test assembly: the sample was built the same way.
            string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            string dll = Path.Combine(Root, "samples", "SchemaClients.Sample", "bin", configuration, "net10.0", "SchemaClients.Sample.dll");
            Assert.True(File.Exists(dll), "the sample is not built at " + dll);
            return dll;
        }
    }

    [Theory]
    [InlineData("fal", "FAL_KEY", "Fal")]
    [InlineData("oxen", "OXEN_API_KEY", "Oxen")]
    [InlineData("apiframe", "APIFRAME_API_KEY", "Apiframe")]
    public async Task WithAKeySetTheConfigurationVariablesPointTheSampleAtALoopbackServerAndThePngIsWritten(string provider, string keyVariable, string section)
    {
        await using ProviderEmulator server = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromMilliseconds(200),
            // Long enough that a poll lands while apiframe's job is PROCESSING even on a loaded machine (300 ms was
            // missed once next to the suite's package builds).
            RunTime = TimeSpan.FromMilliseconds(1500),
            Keys = new Dictionary<string, string> { [provider] = "sample-test-key" },
        });
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var env = new Dictionary<string, string?>
            {
                [keyVariable] = "sample-test-key",
                ["SchemaClients__" + section + "__BaseAddress"] = server.BaseUrl,
                ["SchemaClients__" + section + "__QueueBaseAddress"] = server.BaseUrl + "/queue",
                ["SchemaClients__" + section + "__PollInterval"] = "0.1",
            };
            (int exit, string output, string error) = await RunSampleAsync(folder, env, "a poster reading SUMMER SALE", "--provider", provider, "--out", "poster.png");

            Assert.True(exit == 0, "exit " + exit + "\n" + output + "\n" + error);
            Assert.Contains("Calling " + provider + " at " + server.BaseUrl, error, StringComparison.Ordinal);
            Assert.DoesNotContain("emulator", error, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(folder, "poster.png")).Take(8).ToArray());
            Assert.True(server.JobCount == 1, "the server saw " + server.JobCount + " jobs");
            if (provider == "apiframe")
            {
                Assert.Matches(@"PROCESSING \d+%", error); // apiframe's progress percentage is shown
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--help" }, 0, "Exit codes: 0 the image is written")]
    [InlineData(new[] { "-h" }, 0, "130 cancelled")]
    [InlineData(new string[0], 2, "A prompt is required")]
    [InlineData(new[] { "--foo", "bar", "a", "poster" }, 2, "'--foo' is not an option of this sample.")]
    [InlineData(new[] { "a poster", "--steps", "2.5" }, 2, "--steps needs a whole number, not '2.5'.")]
    [InlineData(new[] { "a poster", "--provider", "nope" }, 2, "'nope' not recognized")]
    [InlineData(new[] { "a poster", "--provider", "fal", "--model", "flux-2-pro" }, 2, "fal has no model 'flux-2-pro'")]
    [InlineData(new[] { "a poster", "--out", "missing-folder/poster.png" }, 2, "the folder")]
    [InlineData(new[] { "a poster", "--provider", "oxen", "--image", "missing.png" }, 2, "--image 'missing.png' is neither an http(s) URL nor a file that exists.")]
    [InlineData(new[] { "a poster", "--provider", "fal", "--image", "https://example.com/a.png" }, 2, "its schema has no image input")]
    [InlineData(new[] { "a poster", "--provider", "oxen", "--sync" }, 2, "--sync is fal's sync_mode")]
    public async Task TheCommandLineAnswersBeforeAnythingIsSent(string[] args, int exit, string expected)
    {
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            (int code, string output, string error) = await RunSampleAsync(folder, new Dictionary<string, string?>(), args);
            Assert.True(code == exit, "exit " + code + "\n" + output + "\n" + error);
            Assert.Contains(expected, output + error, StringComparison.Ordinal);
            Assert.DoesNotContain("emulator at", output + error, StringComparison.Ordinal); // nothing was started or sent
            Assert.Empty(Directory.GetFiles(folder, "*", SearchOption.AllDirectories)); // and nothing written
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task CtrlCWhileQueuedCancelsTheFalRequestAtTheProvider()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // SIGINT is how a terminal's Ctrl+C reaches the process here
        }

        await using ProviderEmulator server = await ProviderEmulator.StartAsync(new EmulatorOptions
        {
            Root = Root,
            QueueTime = TimeSpan.FromSeconds(30),
            Keys = new Dictionary<string, string> { ["fal"] = "sample-test-key" },
        });
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            // A terminal's Ctrl+C reaches a process whose SIGINT is at its default. A test host started in the
            // background (a CI job, `cmd &`) has SIGINT ignored, and a child inherits that: .NET then never sees the
            // signal. GNU env resets it, then execs dotnet (same process id), as a user's shell would have it.
            bool gnuEnv = OperatingSystem.IsLinux();
            var start = new ProcessStartInfo(gnuEnv ? "env" : "dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in (gnuEnv ? new[] { "--default-signal=INT", "dotnet" } : Array.Empty<string>()).Concat(new[] { SampleDll, "a poster", "--provider", "fal", "--out", "poster.png" }))
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["FAL_KEY"] = "sample-test-key";
            start.Environment["SchemaClients__Fal__BaseAddress"] = server.BaseUrl;
            start.Environment["SchemaClients__Fal__QueueBaseAddress"] = server.BaseUrl + "/queue";
            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            var error = new System.Text.StringBuilder();
            string? line;
            while ((line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) != null)
            {
                error.AppendLine(line);
                if (line.StartsWith("Queued on fal as ", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(line != null, "the sample never queued:\n" + error);
            using (Process interrupt = Process.Start("kill", "-INT " + process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                interrupt.WaitForExit();
            }

            var sent = Stopwatch.StartNew();
            try
            {
                error.Append(await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the sample did not stop within 60 s of Ctrl+C; standard error so far:\n" + error);
            }

            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the sample did not stop after Ctrl+C");
            output_.WriteLine("stopped " + sent.ElapsedMilliseconds + " ms after SIGINT:\n" + error);
            await output;
            Assert.True(process.ExitCode == 130, "exit " + process.ExitCode + "\n" + error);
            Assert.Contains("Asked fal to cancel", error.ToString(), StringComparison.Ordinal);
            Assert.Contains(server.Received, r => r.Method == "PUT" && r.Path.EndsWith("/cancel", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(folder, "poster.png")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ProgressIsOneLiveLineOnATerminalAndPlainLinesWhenRedirected()
    {
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            // Redirected (this test reads standard error through a pipe): one plain line per change, no escape codes.
            (int exit, _, string error) = await RunSampleAsync(folder, new Dictionary<string, string?>(), "a poster", "--provider", "apiframe", "--out", "plain.png");
            Assert.True(exit == 0, error);
            Assert.Matches(@"(?m)^  \[\d+\.\d s\] PROCESSING \d+%$", error);
            Assert.DoesNotContain("\u001b", error, StringComparison.Ordinal);

            // On a terminal (a pseudo-terminal from util-linux script): the status line is redrawn in place.
            Assert.True(File.Exists("/usr/bin/script"), "util-linux script is needed to give the sample a terminal");
            string command = "dotnet '" + SampleDll + "' 'a poster' --provider apiframe --out live.png";
            var start = new ProcessStartInfo("/usr/bin/script") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { "-qec", command, "/dev/null" })
            {
                start.ArgumentList.Add(arg);
            }

            foreach (string variable in new[] { "FAL_KEY", "OXEN_API_KEY", "APIFRAME_API_KEY" })
            {
                start.Environment.Remove(variable);
            }

            start.Environment["TERM"] = "xterm";
            using Process process = Process.Start(start)!;
            Task<string> terminal = process.StandardOutput.ReadToEndAsync();
            using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            string shown = await terminal;
            Assert.True(process.ExitCode == 0, shown);
            Assert.Matches("\r\u001b\\[2K  [|/\\\\-] \\[\\d+\\.\\d s\\] PROCESSING \\d+%", shown);
            Assert.DoesNotMatch(@"(?m)^  \[\d+\.\d s\] ", shown); // no plain progress lines
            Assert.True(File.Exists(Path.Combine(folder, "live.png")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("oxen")]
    [InlineData("apiframe")]
    public async Task ImageTurnsTheRunIntoAnEditWithALocalFileUploadedFirst(string provider)
    {
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            byte[] reference = ProviderEmulator.RenderImage("reference", 1, 8, 8);
            File.WriteAllBytes(Path.Combine(folder, "reference.png"), reference);
            (int exit, string output, string error) = await RunSampleAsync(folder, new Dictionary<string, string?>(), "the same, in watercolour", "--provider", provider, "--image", "reference.png", "--seed", "3", "--out", "edit.png");

            Assert.True(exit == 0, "exit " + exit + "\n" + output + "\n" + error);
            Assert.Contains("Local images go to the emulator's copy of fal's CDN", error, StringComparison.Ordinal);
            byte[] image = File.ReadAllBytes(Path.Combine(folder, "edit.png"));
            (int width, int height) = (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(image.AsSpan(20)));
            Assert.Equal(ProviderEmulator.RenderImage("the same, in watercolour", 3, width, height, ProviderEmulator.TintOf(new[] { reference })), image); // the input reached the model
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SyncOnFalSavesTheDataUriResult()
    {
        string folder = Path.Combine(Path.GetTempPath(), "schemaclients-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            (int exit, string output, string error) = await RunSampleAsync(folder, new Dictionary<string, string?>(), "a lighthouse", "--provider", "fal", "--sync", "--out", "inline.png");

            Assert.True(exit == 0, "exit " + exit + "\n" + output + "\n" + error);
            Assert.Contains("Saving the image fal sent inline", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Downloading", error, StringComparison.Ordinal);
            Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(folder, "inline.png")).Take(8).ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunSampleAsync(string folder, Dictionary<string, string?> env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SampleDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string variable in new[] { "FAL_KEY", "OXEN_API_KEY", "APIFRAME_API_KEY" })
        {
            start.Environment.Remove(variable);
        }

        foreach (KeyValuePair<string, string?> pair in env)
        {
            start.Environment[pair.Key] = pair.Value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the sample did not finish in 60 s:\n" + await error);
        }

        return (process.ExitCode, await output, await error);
    }
}
