using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Generator.Model;

namespace SchemaClients.Cli;

/// <summary>Options of one refresh run.</summary>
internal sealed record RefreshOptions(string Root, bool DryRun, TimeSpan Timeout, IReadOnlyDictionary<string, string> BaseUrls);

/// <summary>
/// Fetches each manifest entry from where its provider serves it, normalizes it, reports what changed,
/// and writes it only when everything about it succeeded (temp file, then rename). One failing source
/// does not stop the others.
/// </summary>
internal sealed class Refresher(HttpClient http, TextWriter progress)
{
    public async Task<List<FileReport>> RefreshAsync(RefreshOptions options, CancellationToken cancellationToken)
    {
        Manifest manifest = Manifest.Load(options.Root);
        var reports = new List<FileReport>();
        int index = 0;
        foreach (ManifestEntry entry in manifest.Entries)
        {
            index++;
            var report = new FileReport { File = entry.File, Provider = entry.Provider, Model = entry.Model };
            reports.Add(report);
            if (string.IsNullOrEmpty(entry.FetchUrl))
            {
                report.Status = "skipped";
                report.Warnings.Add("written from the provider's documentation; the provider serves no schema for it, so it is not refreshed");
                progress.WriteLine($"[{index}/{manifest.Entries.Count}] {entry.File}: skipped (no endpoint serves it)");
                continue;
            }

            try
            {
                await RefreshOneAsync(entry, report, options, $"[{index}/{manifest.Entries.Count}]", cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                report.Status = "failed";
                report.Error = e.Message;
                progress.WriteLine("  failed: " + e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One source's unexpected failure must not stop the others or lose their results.
                report.Status = "failed";
                report.Error = $"unexpected {e.GetType().Name} while refreshing: {e.Message}; {entry.File} is left as it was";
                progress.WriteLine("  failed: " + report.Error);
            }
        }

        return reports;
    }

    private async Task RefreshOneAsync(ManifestEntry entry, FileReport report, RefreshOptions options, string counter, CancellationToken cancellationToken)
    {
        string url = Rebase(entry.FetchUrl!, options.BaseUrls.TryGetValue(entry.Provider, out string? baseUrl) ? baseUrl : null);
        string path = Path.Combine(options.Root, "schemas", entry.File);
        progress.WriteLine($"{counter} {entry.File}: fetching {url}");
        string body = await FetchAsync(entry, url, options.Timeout, cancellationToken).ConfigureAwait(false);

        string? normalized = SchemaFiles.Normalize(body, out string? error);
        if (normalized == null)
        {
            throw new CliException($"{url} answered with something that is {error}; {entry.File} is left as it was");
        }

        ParsedDocument parsed = SchemaFiles.ParseWithDiagnostics(path, normalized);
        DocumentSpec after = parsed.Spec;
        if (!after.HasOutput)
        {
            string why = parsed.Diagnostics.Count > 0 ? SchemaFiles.Format(parsed.Diagnostics[0], entry.File) : "not a schema document";
            throw new CliException($"{url} answered with JSON that is not a schema the generator can read ({why}); {entry.File} is left as it was");
        }

        string? old = File.Exists(path) ? File.ReadAllText(path) : null;
        if (old == null)
        {
            report.Status = "added";
        }
        else
        {
            report.Changes.AddRange(ChangeReport.Compare(SchemaFiles.Parse(path, old), after));
            report.Status = old == normalized ? "unchanged" : report.Changes.Count > 0 ? "changed" : "reformatted";
        }

        report.Warnings.AddRange(await DefaultsChecker.CheckAsync(normalized).ConfigureAwait(false));
        if (!options.DryRun && old != normalized)
        {
            SchemaFiles.WriteAtomically(path, normalized);
        }

        progress.WriteLine($"  {report.Status}{(report.Changes.Count > 0 ? $", {report.Changes.Count} changes ({report.Changes.Count(c => c.Breaking)} breaking)" : string.Empty)}{(options.DryRun && old != normalized ? " (dry run: not written)" : string.Empty)}");
    }

    private async Task<string> FetchAsync(ManifestEntry entry, string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (entry.AuthHeader != null && entry.AuthEnv != null)
        {
            string? key = Environment.GetEnvironmentVariable(entry.AuthEnv);
            if (string.IsNullOrEmpty(key))
            {
                throw new CliException($"{entry.AuthEnv} is not set; {entry.Provider} needs it to serve {entry.File}");
            }

            request.Headers.TryAddWithoutValidation(entry.AuthHeader, string.IsNullOrEmpty(entry.AuthScheme) ? key : entry.AuthScheme + " " + key);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false);
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                throw new CliException($"{url} refused the key ({(int)response.StatusCode} {response.ReasonPhrase}); check {entry.AuthEnv ?? "the key"}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType != null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"{url} answered with an HTML page ({mediaType}), not a JSON schema");
            }

            byte[] bytes = await ReadWithProgressAsync(response, timeoutSource.Token).ConfigureAwait(false);
            progress.WriteLine($"  {(int)response.StatusCode}, {bytes.Length:N0} bytes in {watch.ElapsedMilliseconds} ms");
            string text = new UTF8Encoding(false, false).GetString(bytes);
            string start = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (start.StartsWith('<'))
            {
                throw new CliException($"{url} answered with an HTML or XML page, not a JSON schema");
            }

            bool yaml = (mediaType != null && mediaType.Contains("yaml", StringComparison.OrdinalIgnoreCase))
                || url.Split('?')[0].EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || url.Split('?')[0].EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
            if (yaml)
            {
                try
                {
                    progress.WriteLine("  converting YAML to JSON");
                    return YamlToJson.Convert(text)?.ToJsonString() ?? "null";
                }
                catch (CliException e)
                {
                    throw new CliException($"{url} answered with YAML that cannot become JSON: {e.Message}");
                }
            }

            return text;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"{url} did not answer within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"{url} could not be fetched: {e.Message}");
        }
        catch (IOException e)
        {
            throw new CliException($"{url} broke off while sending ({e.Message}); the body is incomplete");
        }
    }

    private async Task<byte[]> ReadWithProgressAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        long? length = response.Content.Headers.ContentLength;
        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16384];
        long nextReport = 256 * 1024;
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length >= nextReport)
            {
                progress.WriteLine(length.HasValue ? $"  {buffer.Length:N0} of {length.Value:N0} bytes" : $"  {buffer.Length:N0} bytes");
                nextReport += 256 * 1024;
            }
        }

        if (length.HasValue && buffer.Length != length.Value)
        {
            throw new IOException($"got {buffer.Length} of {length.Value} bytes");
        }

        return buffer.ToArray();
    }

    /// <summary>Points a provider URL at another base (an emulator, a proxy), keeping path and query.</summary>
    internal static string Rebase(string url, string? baseUrl)
    {
        if (baseUrl == null)
        {
            return url;
        }

        var original = new Uri(url);
        return baseUrl.TrimEnd('/') + original.PathAndQuery;
    }
}
