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
