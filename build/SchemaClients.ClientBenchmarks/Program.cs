using System;
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
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? new[] { "--filter", "*" } : args);
}

[MemoryDiagnoser]
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
}
