using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using SchemaClients.Clients;
using SchemaClients.Emulator;
using SchemaClients.Files;
using OxenFlex = SchemaClients.ClientBenchmarks.Schemas.Oxen.Flux2Flex;

namespace SchemaClients.ClientBenchmarks;

/// <summary>
/// What resolving image inputs costs before a request is sent (no HTTP: the uploader answers at once): an Oxen
/// request with two URL inputs written the synchronous way (what a request without local images costs) and
/// through the async path the generated clients now take, and with one 64 KB local image (read, signature
/// checked, uploaded, written in a second pass).
/// <code>dotnet run -c Release --project build/SchemaClients.ClientBenchmarks -- --filter *ImageInput*</code>
/// </summary>
[MemoryDiagnoser]
public class ImageInputBenchmarks
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> Model = OxenTransport.ModelMember("flux-2-flex");
    private static readonly IReadOnlyList<KeyValuePair<string, string>> None = OxenTransport.QueueMembers(null);

    private HttpClient _http = null!;
    private ModelClientCore _core = null!;
    private OxenFlex.Flux2FlexRequest _urls = null!;
    private OxenFlex.Flux2FlexRequest _bytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient();
        var options = new SchemaClientOptions { ApiKey = "benchmark-key", ImageUploader = new InstantUploader() };
        _core = new ModelClientCore(_http, options, OxenFlex.OxenFlux2FlexClient.Description);
        _urls = new OxenFlex.Flux2FlexRequest { Prompt = "Bloxy as the Mona Lisa", InputImage = ["https://example.com/a.png", "https://example.com/b.png"] };
        byte[] png = new byte[64 * 1024];
        ProviderEmulator.RenderImage("reference", 1, 8, 8).CopyTo(png, 0);
        _bytes = new OxenFlex.Flux2FlexRequest { Prompt = "Bloxy as the Mona Lisa", InputImage = [ImageInput.FromBytes(png)] };
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true)]
    public byte[] UrlsSynchronous() => _core.SerializeWith(_urls, OxenFlex.SchemaConverters.Flux2FlexRequestConverter.Instance, Model, None);

    [Benchmark]
    public Task<byte[]> UrlsAsync() => _core.SerializeWithAsync(_urls, OxenFlex.SchemaConverters.Flux2FlexRequestConverter.Instance, Model, None, CancellationToken.None);

    [Benchmark]
    public Task<byte[]> LocalImageUploaded() => _core.SerializeWithAsync(_bytes, OxenFlex.SchemaConverters.Flux2FlexRequestConverter.Instance, Model, None, CancellationToken.None);

    private sealed class InstantUploader : IImageUploader
    {
        private static readonly Uri Uploaded = new("https://uploads.example.com/image.png");

        public Task<Uri> UploadAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) => Task.FromResult(Uploaded);
    }
}
