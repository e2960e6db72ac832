using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using SchemaClients;
using SchemaClients.ClientBenchmarks.Schemas;
using SchemaClients.Emulator;
using SchemaClients.Http;
using FalFlex = SchemaClients.ClientBenchmarks.Schemas.Fal.Flux2Flex;

namespace SchemaClients.ClientBenchmarks;

/// <summary>
/// What a generated client costs per request over a hand-written HttpClient call of the same request, both against
/// the emulator on loopback (fal's sync endpoint: validate, serialize, POST, read the typed output).
/// <code>dotnet run -c Release --project build/SchemaClients.ClientBenchmarks</code>
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--probe")
        {
            Probe.RunAsync().GetAwaiter().GetResult();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? new[] { "--filter", "*" } : args);
    }
}

/// <summary>
/// A quick look between benchmark runs (<c>-- --probe</c>): bytes allocated per call in the whole process (the
/// in-process server's share is the same for both) and the median of 15 rounds of 500 calls. Not a benchmark: the
/// figures to report come from BenchmarkDotNet.
/// </summary>
internal static class Probe
{
    public static async Task RunAsync()
    {
        var bench = new ClientOverheadBenchmarks();
        await bench.SetupAsync();
        try
        {
            var runs = new (string Name, Func<Task> Call)[]
            {
                ("hand-written", () => bench.HandWrittenHttpClient()),
                ("generated", () => bench.GeneratedClient()),
                ("generated, no validation", () => bench.GeneratedClientWithoutValidation()),
                ("generated, no retries", () => bench.GeneratedClientWithoutRetries()),
            };
            foreach ((string name, Func<Task> call) in runs)
            {
                for (int i = 0; i < 2000; i++)
                {
                    await call();
                }
            }

            for (int pass = 0; pass < 2; pass++)
            {
                foreach ((string name, Func<Task> call) in runs)
                {
                    var medians = new List<double>();
                    long bytes = 0;
                    for (int round = 0; round < 15; round++)
                    {
                        long before = GC.GetTotalAllocatedBytes(true);
                        long started = System.Diagnostics.Stopwatch.GetTimestamp();
                        for (int i = 0; i < 500; i++)
                        {
                            await call();
                        }

                        medians.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds / 500);
                        bytes += GC.GetTotalAllocatedBytes(true) - before;
                    }

                    medians.Sort();
                    Console.WriteLine(name.PadRight(26) + medians[medians.Count / 2].ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " us/call  "
                        + (bytes / (15 * 500)).ToString(System.Globalization.CultureInfo.InvariantCulture) + " B/call");
                }
            }
        }
        finally
        {
            await bench.CleanupAsync();
        }
    }
}

[MemoryDiagnoser]
[MedianColumn]
public class ClientOverheadBenchmarks
{
    private static readonly FalFlex.Flux2FlexInput Input = new()
    {
        Prompt = "a poster reading SUMMER SALE",
        NumInferenceSteps = 28,
        Seed = 7,
        ImageSize = FalFlex.ImageSizeEnum.Portrait16_9,
        OutputFormat = FalFlex.OutputFormat.Png,
    };

    private ProviderEmulator _emulator = null!;
    private HttpClient _http = null!;
    private FalFlex.FalFlux2FlexClient _client = null!;
    private FalFlex.FalFlux2FlexClient _unvalidated = null!;
    private FalFlex.FalFlux2FlexClient _noRetries = null!;
    private Uri _url = null!;
    private string _key = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        string root = EmulatorOptions.FindRoot(Environment.CurrentDirectory, AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Run from the repository: schemas/manifest.json was not found.");
        _emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = root });
        _http = new HttpClient();
        _client = new FalFlex.FalFlux2FlexClient(_http, _emulator.OptionsFor("fal"));
        SchemaClientOptions off = _emulator.OptionsFor("fal");
        off.ValidateBeforeSend = false;
        _unvalidated = new FalFlex.FalFlux2FlexClient(_http, off);
        SchemaClientOptions once = _emulator.OptionsFor("fal");
        once.Retry = new RetryOptions { MaxRetries = 0 };
        _noRetries = new FalFlex.FalFlux2FlexClient(_http, once);
        _url = new Uri(_emulator.BaseUrl + "/fal-ai/flux-2-flex");
        _key = _emulator.KeyFor("fal");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    /// <summary>The same request by hand: the generated serializer, one POST with the auth header, the typed output read back.</summary>
    [Benchmark(Baseline = true)]
    public async Task<FalFlex.Flux2FlexOutput> HandWrittenHttpClient()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url);
        request.Headers.TryAddWithoutValidation("Authorization", "Key " + _key);
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(Input, SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexInput));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        return (await JsonSerializer.DeserializeAsync(stream, SchemaClientsJsonContext.Default.FalFlux2FlexFlux2FlexOutput))!;
    }

    /// <summary>The generated client: validation, retry pipeline, per-attempt timeout, logging hooks, typed output.</summary>
    [Benchmark]
    public Task<FalFlex.Flux2FlexOutput> GeneratedClient() => _client.RunAsync(Input);

    /// <summary>The generated client with ValidateBeforeSend off, to show what validation costs.</summary>
    [Benchmark]
    public Task<FalFlex.Flux2FlexOutput> GeneratedClientWithoutValidation() => _unvalidated.RunAsync(Input);

    /// <summary>The generated client with retries off (<c>MaxRetries = 0</c>): no retry strategy in the pipeline.</summary>
    [Benchmark]
    public Task<FalFlex.Flux2FlexOutput> GeneratedClientWithoutRetries() => _noRetries.RunAsync(Input);
}
