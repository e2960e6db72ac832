using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;

namespace SchemaClients.Cli;

/// <summary>The schemaclients tool: refresh, diff and check the checked-in schemas.</summary>
public static class Program
{
    /// <summary>Exit codes: 0 fine, 1 something failed, 2 bad usage, 3 <c>refresh --check</c> found changes.</summary>
    public static async Task<int> Main(string[] args)
    {
        // Before any regular expression exists: every one without a timeout of its own (NJsonSchema's, for schema
        // patterns) gets this one, so a pattern that backtracks cannot hang the tool.
        AppContext.SetData("REGEX_DEFAULT_MATCH_TIMEOUT", TimeSpan.FromSeconds(2));
        return await RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
    }

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, HttpMessageHandler? handler = null)
    {
        var root = new Option<string?>("--root") { Description = "The repository root (the folder with schemas/manifest.json). Default: found from the current folder upwards." };
        var json = new Option<bool>("--json") { Description = "Print the change report as JSON." };

        var dryRun = new Option<bool>("--dry-run") { Description = "Fetch and report, but write nothing." };
        var check = new Option<bool>("--check") { Description = "Exit with 3 when any schema changed (for CI); implies nothing is written." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for each source.", DefaultValueFactory = _ => 30 };
        var baseUrl = new Option<string[]>("--base-url") { Description = "provider=url: fetch that provider's documents from another base URL (an emulator, a mirror).", AllowMultipleArgumentsPerToken = false };
        var refresh = new Command("refresh", "Fetch every schema in schemas/manifest.json from where its provider serves it, normalize it, write it and report what changed.")
        {
            root, json, dryRun, check, timeout, baseUrl,
        };
        refresh.SetAction(async (parse, ct) =>
        {
            string repo = FindRoot(parse.GetValue(root));
            var bases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string pair in parse.GetValue(baseUrl) ?? Array.Empty<string>())
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    throw new CliException($"--base-url '{pair}' must be provider=url");
                }

                bases[pair.Substring(0, eq)] = pair.Substring(eq + 1);
            }

            bool checkOnly = parse.GetValue(check);
            using HttpClient http = handler != null ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
            http.DefaultRequestHeaders.UserAgent.ParseAdd("schemaclients/0.1");
            var refresher = new Refresher(http, error);
            List<FileReport> reports = await refresher.RefreshAsync(new RefreshOptions(repo, parse.GetValue(dryRun) || checkOnly, TimeSpan.FromSeconds(parse.GetValue(timeout)), bases), ct);
            Print(output, reports, parse.GetValue(json));
            if (reports.Any(r => r.Failed))
            {
                return 1;
            }

            return checkOnly && reports.Any(r => r.Status is "changed" or "added" or "reformatted") ? 3 : 0;
        });

        var oldArg = new Argument<string>("old") { Description = "The old version: a file, or a git revision (then every schema file is compared)." };
        var newArg = new Argument<string>("new") { Description = "The new version: a file, or a git revision." };
        var diff = new Command("diff", "Report what changed between two versions of the schemas: added and removed parameters, type changes, narrowed and widened ranges, enum values, defaults, required, transports; each marked breaking or not.")
        {
            oldArg, newArg, root, json,
        };
        diff.SetAction(parse =>
        {
            List<FileReport> reports = Diff(parse.GetValue(oldArg)!, parse.GetValue(newArg)!, parse.GetValue(root));
            Print(output, reports, parse.GetValue(json));
            return reports.Any(r => r.Failed) ? 1 : 0;
        });

        var checkCommand = new Command("check", "Run the generator's parser over schemas/ and print exactly the diagnostics the build would, with file, line and column.")
        {
            root,
        };
        checkCommand.SetAction(parse =>
        {
            string repo = FindRoot(parse.GetValue(root));
            int errors = 0;
            int files = 0;
            foreach (string path in SchemaFiles.All(repo))
            {
                files++;
                ParsedDocument parsed = SchemaFiles.ParseWithDiagnostics(path, File.ReadAllText(path));
                string display = Path.GetRelativePath(repo, path).Replace('\\', '/');
                foreach (DiagnosticInfo diagnostic in parsed.Diagnostics.OrderBy(d => d.Location?.Start ?? 0))
                {
                    output.WriteLine(SchemaFiles.Format(diagnostic, display));
                    errors += DiagnosticDescriptors.Find(diagnostic.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error ? 1 : 0;
                }
            }

            error.WriteLine($"checked {files} schema files: {errors} errors");
            return errors > 0 ? 1 : 0;
        });

        var rootCommand = new RootCommand("schemaclients: refresh, diff and check the model schemas SchemaClients.Generator builds from.")
        {
            refresh, diff, checkCommand,
        };
        try
        {
            ParseResult parsed = rootCommand.Parse(args);
            parsed.InvocationConfiguration.Output = output;
            parsed.InvocationConfiguration.Error = error;
            return await parsed.InvokeAsync(cancellationToken: cancellationToken);
        }
        catch (CliException e)
        {
            error.WriteLine("error: " + e.Message);
            return 1;
        }
    }

    private static void Print(TextWriter output, List<FileReport> reports, bool json)
    {
        output.Write(json ? JsonSerializer.Serialize(reports, CliJsonContext.Default.ListFileReport) + "\n" : FileReport.Render(reports));
    }

    internal static string FindRoot(string? given)
    {
        if (given != null)
        {
            return Path.GetFullPath(given);
        }

        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "schemas", "manifest.json")))
            {
                return dir.FullName;
            }
        }

        throw new CliException("no schemas/manifest.json in this folder or above it; run from the repository or pass --root");
    }

    /// <summary>Compares two files, or every schema file between two git revisions.</summary>
    internal static List<FileReport> Diff(string oldVersion, string newVersion, string? rootOption)
    {
        if (File.Exists(oldVersion) && File.Exists(newVersion))
        {
            return new List<FileReport> { DiffTexts(newVersion, File.ReadAllText(oldVersion), File.ReadAllText(newVersion)) };
        }

        string repo = FindRoot(rootOption);
        Dictionary<string, string> before = Revision(repo, oldVersion);
        Dictionary<string, string> after = Revision(repo, newVersion);
        return before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(path => DiffTexts(path, before.GetValueOrDefault(path), after.GetValueOrDefault(path)))
            .ToList();
    }

    private static FileReport DiffTexts(string path, string? oldText, string? newText)
    {
        var report = new FileReport { File = path.Replace('\\', '/') };
        if (newText == null)
        {
            report.Status = "removed";
            report.Changes.Add(new SchemaChange("schema-removed", report.File, null, null, true));
            return report;
        }

        ParsedDocument parsedAfter = SchemaFiles.ParseWithDiagnostics(path, newText);
        DocumentSpec after = parsedAfter.Spec;
        report.Provider = after.Provider;
        report.Model = after.ModelId;
        if (oldText == null)
        {
            report.Status = "added";
            return report;
        }

        if (!after.HasOutput)
        {
            report.Status = "failed";
            report.Error = parsedAfter.Diagnostics.Count > 0 ? SchemaFiles.Format(parsedAfter.Diagnostics[0], report.File) : "not a schema document";
            return report;
        }

        report.Changes.AddRange(ChangeReport.Compare(SchemaFiles.Parse(path, oldText), after));
        report.Status = report.Changes.Count > 0 ? "changed" : "unchanged";
        return report;
    }

    /// <summary>The schema files of a git revision, by path relative to the repository.</summary>
    private static Dictionary<string, string> Revision(string repo, string revision)
    {
        string list = Git(repo, "ls-tree", "-r", "--name-only", revision, "--", "schemas");
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (path.EndsWith(".json", StringComparison.Ordinal) && Path.GetFileName(path) != "manifest.json")
            {
                files[path] = Git(repo, "show", revision + ":" + path);
            }
        }

        return files;
    }

    private static string Git(string repo, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new CliException("git could not be started");
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new CliException($"'{args.Last()}' is neither a file nor a git revision here: {stderr.Trim()}");
        }

        return stdout;
    }
}
