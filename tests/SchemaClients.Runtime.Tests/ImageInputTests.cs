using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SchemaClients.Clients;
using SchemaClients.Emulator;
using SchemaClients.Files;
using SchemaClients.Http;
using SchemaClients.Validation;
using Microsoft.Extensions.Configuration;
using Xunit;
using ApiframeFlex = SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using FalEdit = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2FlexEdit;
using FalFlex = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;

namespace SchemaClients.Runtime.Tests;

/// <summary>
/// Images in and out through the generated clients: local files uploaded the way fal documents (initiate, then PUT),
/// data URIs, limits and signatures checked before anything billed is sent, and data-URI results saved with no request.
/// </summary>
public sealed class ImageInputTests : IAsyncLifetime
{
    private const string Key = "image-test-key";
    private const string FalEditSubmit = "/fal-ai/flux-2-flex/edit";
    private const string Initiate = "/storage/upload/initiate";
    private const string FileUrl = "https://v3.fal.media/files/penguin/ref-0.png";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "schemaclients-images-" + Guid.NewGuid().ToString("N"));
    private ReplayServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await ReplayServer.StartAsync();
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static string Root => SchemaClients.Testing.TestRepository.Root;

    /// <summary>A real PNG (the emulator's renderer), different for each seed.</summary>
    private static byte[] PngBytes(long seed = 1) => ProviderEmulator.RenderImage("reference", seed, 16, 16);

    /// <summary>The start of a JPEG file: SOI and a JFIF APP0 segment.</summary>
    private static readonly byte[] JpegBytes = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9 };

    private string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private SchemaClientOptions ReplayOptions() => new()
    {
        BaseAddress = _server.BaseUrl,
        QueueBaseAddress = _server.BaseUrl,
        StorageBaseAddress = _server.BaseUrl,
        ApiKey = Key,
        Retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
    };

    /// <summary>fal's documented initiate answer: an upload URL (here on the replay server, signed) and the file URL to pass on.</summary>
    private void ScriptUpload(string fileUrl = FileUrl)
    {
        _server.On("POST", Initiate, Scripted.Json(200, "{\"upload_url\": \"" + _server.BaseUrl + "upload/target?X-Goog-Signature=abc123\", \"file_url\": \"" + fileUrl + "\"}"));
        _server.On("PUT", "/upload/target", new Scripted(200, null));
        _server.On("POST", FalEditSubmit, Scripted.Json(200, DocumentedAnswers.FalSubmit));
    }

    private static FalEdit.Flux2FlexInput Edit(params ImageInput[] images) => new() { Prompt = "the same cat, in watercolour", ImageUrls = images };

    [Fact]
    public async Task ALocalPngIsUploadedToFalsCdnAndTheSubmittedBodyHoldsItsFileUrl()
    {
        ScriptUpload();
        byte[] png = PngBytes();
        string path = WriteFile("cat.png", png);
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());

        FalQueuedRequest queued = await client.SubmitAsync(Edit(ImageInput.FromFile(path)), Within(10));

        Assert.Equal(DocumentedAnswers.FalRequestId, queued.RequestId);
        Assert.Equal(new[] { "POST " + Initiate, "PUT /upload/target", "POST " + FalEditSubmit }, _server.Requests.Select(r => r.Method + " " + r.Path).ToArray());
        Seen initiate = _server.To("POST", Initiate).Single();
        Assert.Equal("Key " + Key, initiate.Header("Authorization"));
        using (JsonDocument body = JsonDocument.Parse(initiate.Body))
        {
            Assert.Equal("image/png", body.RootElement.GetProperty("content_type").GetString());
            Assert.Equal("image.png", body.RootElement.GetProperty("file_name").GetString());
        }

        Seen put = _server.To("PUT", "/upload/target").Single();
        Assert.Null(put.Header("Authorization")); // the signed URL gets the bytes, never the key
        Assert.Equal("?X-Goog-Signature=abc123", put.Query);
        Assert.Equal("image/png", put.Header("Content-Type"));
        Assert.Equal(png, put.Raw);
        using JsonDocument submitted = JsonDocument.Parse(_server.To("POST", FalEditSubmit).Single().Body);
        Assert.Equal(new[] { FileUrl }, submitted.RootElement.GetProperty("image_urls").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Fact]
    public async Task AFalClientWithTheUsersOwnUploaderUsesItInsteadOfFalsCdn()
    {
        _server.On("POST", FalEditSubmit, Scripted.Json(200, DocumentedAnswers.FalSubmit));
        var uploader = new RecordingUploader();
        SchemaClientOptions options = ReplayOptions();
        options.ImageUploader = uploader;
        var client = new FalEdit.FalFlux2FlexEditClient(_http, options);

        await client.SubmitAsync(Edit(ImageInput.FromBytes(PngBytes())), Within(10));

        Assert.Single(uploader.Uploads);
        Assert.Empty(_server.To("POST", Initiate));
        using JsonDocument submitted = JsonDocument.Parse(_server.To("POST", FalEditSubmit).Single().Body);
        Assert.Equal("https://uploads.example.com/1.png", submitted.RootElement.GetProperty("image_urls")[0].GetString());
    }

    [Fact]
    public async Task UrlsAreSentAsTheyAreWithNoUpload()
    {
        ScriptUpload();
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());
        await client.SubmitAsync(Edit("https://example.com/a.png", new Uri("https://example.com/b.png")), Within(10));

        Assert.Empty(_server.To("POST", Initiate));
        using JsonDocument submitted = JsonDocument.Parse(_server.To("POST", FalEditSubmit).Single().Body);
        Assert.Equal(new[] { "https://example.com/a.png", "https://example.com/b.png" }, submitted.RootElement.GetProperty("image_urls").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Fact]
    public async Task AFailedInitiateIsRetriedBecauseUploadsAreNotBilledAndTheSubmitGoesOnce()
    {
        _server.On("POST", Initiate, Scripted.Json(503, "{\"detail\": \"busy\"}"), Scripted.Json(200, "{\"upload_url\": \"" + _server.BaseUrl + "upload/target\", \"file_url\": \"" + FileUrl + "\"}"));
        _server.On("PUT", "/upload/target", new Scripted(500, "{}"), new Scripted(200, null));
        _server.On("POST", FalEditSubmit, Scripted.Json(200, DocumentedAnswers.FalSubmit));
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());

        await client.SubmitAsync(Edit(ImageInput.FromBytes(PngBytes())), Within(10));

        Assert.Equal(2, _server.To("POST", Initiate).Count);
        Assert.Equal(2, _server.To("PUT", "/upload/target").Count);
        Assert.Single(_server.To("POST", FalEditSubmit));
    }

    [Fact]
    public async Task WithInlineImagesALocalFileIsSentAsADataUriAndNothingIsUploaded()
    {
        ScriptUpload();
        byte[] png = PngBytes();
        SchemaClientOptions options = ReplayOptions();
        options.InlineImages = true;
        var client = new FalEdit.FalFlux2FlexEditClient(_http, options);

        await client.SubmitAsync(Edit(ImageInput.FromStream(new MemoryStream(png), fileName: "cat.png")), Within(10));

        Assert.Empty(_server.To("POST", Initiate));
        using JsonDocument submitted = JsonDocument.Parse(_server.To("POST", FalEditSubmit).Single().Body);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(png), submitted.RootElement.GetProperty("image_urls")[0].GetString());
    }

    [Fact]
    public async Task ADataUriInputIsSentToFalAsGivenWhenSmall()
    {
        ScriptUpload();
        string dataUri = DataUri.Create(PngBytes(), "image/png");
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());

        await client.SubmitAsync(Edit(dataUri), Within(10));

        Assert.Empty(_server.To("POST", Initiate));
        using JsonDocument submitted = JsonDocument.Parse(_server.To("POST", FalEditSubmit).Single().Body);
        Assert.Equal(dataUri, submitted.RootElement.GetProperty("image_urls")[0].GetString());
    }

    [Fact]
    public async Task AJpegNamedPngIsUploadedAsImageJpeg()
    {
        ScriptUpload("https://v3.fal.media/files/penguin/ref-0.jpg");
        string path = WriteFile("really-a-jpeg.png", JpegBytes);
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());

        await client.SubmitAsync(Edit(ImageInput.FromFile(path)), Within(10));

        using JsonDocument initiate = JsonDocument.Parse(_server.To("POST", Initiate).Single().Body);
        Assert.Equal("image/jpeg", initiate.RootElement.GetProperty("content_type").GetString());
        Assert.Equal("image/jpeg", _server.To("PUT", "/upload/target").Single().Header("Content-Type"));
        Assert.Equal("image/jpeg", ImageFormats.Sniff(JpegBytes));
    }

    [Fact]
    public async Task AFileThatIsNoImageIsRefusedBeforeAnythingIsSent()
    {
        ScriptUpload();
        string path = WriteFile("notes.png", "just some text, not a picture"u8.ToArray());
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());

        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(() => client.SubmitAsync(Edit(ImageInput.FromFile(path)), Within(10)));

        Assert.Contains("notes.png", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a PNG, JPEG or WebP", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AFileOverTheSizeLimitIsRefusedBeforeItIsReadOrSent()
    {
        ScriptUpload();
        string path = Path.Combine(_dir, "huge.png");
        using (FileStream file = File.Create(path))
        {
            file.Write(PngBytes());
            file.SetLength(ImageInput.MaxFileBytes + 1);
        }

        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());
        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(() => client.SubmitAsync(Edit(ImageInput.FromFile(path)), Within(10)));

        Assert.Contains(" is over 20 MiB (ImageInput.MaxFileBytes)", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AnInlineImageOverTheInlineLimitIsRefusedWithAdviceToUpload()
    {
        ScriptUpload();
        byte[] big = new byte[ImageInput.MaxInlineBytes + 1];
        PngBytes().CopyTo(big, 0);
        SchemaClientOptions options = ReplayOptions();
        options.InlineImages = true;
        var client = new FalEdit.FalFlux2FlexEditClient(_http, options);

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubmitAsync(Edit(ImageInput.FromBytes(big)), Within(10)));

        Assert.Contains("InlineImages", e.Message, StringComparison.Ordinal);
        Assert.Contains("upload", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AMissingFileFailsBeforeAnythingIsSent()
    {
        ScriptUpload();
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());
        await Assert.ThrowsAsync<FileNotFoundException>(() => client.SubmitAsync(Edit(ImageInput.FromFile(Path.Combine(_dir, "gone.png"))), Within(10)));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ABadSecondFileLeavesNoUploadOfTheFirst()
    {
        ScriptUpload();
        string good = WriteFile("good.png", PngBytes());
        string bad = WriteFile("bad.png", new byte[] { 1, 2, 3, 4 });
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());

        await Assert.ThrowsAsync<InvalidDataException>(() => client.SubmitAsync(Edit(ImageInput.FromFile(good), ImageInput.FromFile(bad)), Within(10)));

        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task OxenWithALocalFileAndNoUploaderIsRefusedBeforeAnyPost()
    {
        _server.On("POST", "/api/ai/queue", Scripted.Json(200, "{\"generations\": [{\"generation_id\": \"g-1\", \"status\": \"queued\"}]}"));
        string path = WriteFile("bloxy.png", PngBytes());
        var client = new OxenFlex.OxenFlux2FlexClient(_http, ReplayOptions());
        var request = new OxenFlex.Flux2FlexRequest { Prompt = "Bloxy as the Mona Lisa", InputImage = [ImageInput.FromFile(path)] };

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.EnqueueAsync(request, Within(10)));

        Assert.Contains("oxen flux-2-flex", e.Message, StringComparison.Ordinal);
        Assert.Contains("bloxy.png", e.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaClientOptions.ImageUploader", e.Message, StringComparison.Ordinal);
        Assert.Contains("FalCdnUploader", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);

        // A data URI is no way around it: Oxen documents URLs only.
        var inline = new OxenFlex.Flux2FlexRequest { Prompt = "p", InputImage = [DataUri.Create(PngBytes(), "image/png")] };
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.EnqueueAsync(inline, Within(10)));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task InlineImagesIsRefusedForAProviderThatTakesNoDataUris()
    {
        SchemaClientOptions options = ReplayOptions();
        options.InlineImages = true;
        options.ImageUploader = new RecordingUploader();
        var client = new ApiframeFlex.ApiframeFlux2FlexClient(_http, options);
        var request = new ApiframeFlex.Flux2FlexGenerateRequest { Prompt = "p", Model = "flux-2-flex", FluxParams = new ApiframeFlex.Flux2FlexParams { InputImages = [ImageInput.FromBytes(PngBytes())] } };

        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GenerateAsync(request, Within(10)));
        Assert.Contains("InlineImages", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ApiframeSendsTheUrlTheUsersUploaderGaveInFluxParams()
    {
        _server.On("POST", "/v2/images/generate", Scripted.Json(202, "{\"jobId\": \"0b9c5f7e-1111-4222-8333-944455556666\", \"status\": \"QUEUED\"}"));
        var uploader = new RecordingUploader();
        SchemaClientOptions options = ReplayOptions();
        options.ImageUploader = uploader;
        var client = new ApiframeFlex.ApiframeFlux2FlexClient(_http, options);
        byte[] png = PngBytes();
        var request = new ApiframeFlex.Flux2FlexGenerateRequest { Prompt = "p", Model = "flux-2-flex", FluxParams = new ApiframeFlex.Flux2FlexParams { InputImages = [ImageInput.FromBytes(png), "https://example.com/b.png"] } };

        await client.GenerateAsync(request, Within(10));

        Assert.Equal(png, Assert.Single(uploader.Uploads).Content);
        Assert.Equal("image/png", uploader.Uploads[0].ContentType);
        using JsonDocument sent = JsonDocument.Parse(_server.To("POST", "/v2/images/generate").Single().Body);
        Assert.Equal(new[] { "https://uploads.example.com/1.png", "https://example.com/b.png" }, sent.RootElement.GetProperty("fluxParams").GetProperty("input_images").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [Fact]
    public async Task ElevenImagesAreRefusedByValidationBeforeAnyUploadOrPost()
    {
        var uploader = new RecordingUploader();
        SchemaClientOptions options = ReplayOptions();
        options.ImageUploader = uploader;
        ImageInput[] eleven = Enumerable.Range(0, 11).Select(i => ImageInput.FromBytes(PngBytes(i))).ToArray();

        var apiframe = new ApiframeFlex.ApiframeFlux2FlexClient(_http, options);
        SchemaValidationException e = await Assert.ThrowsAsync<SchemaValidationException>(() => apiframe.GenerateAsync(
            new ApiframeFlex.Flux2FlexGenerateRequest { Prompt = "p", Model = "flux-2-flex", FluxParams = new ApiframeFlex.Flux2FlexParams { InputImages = eleven } }, Within(10)));
        Assert.Contains(e.Violations, v => v.Path == "$.fluxParams.input_images" && v.Rule == "maxItems");

        var oxen = new OxenFlex.OxenFlux2FlexClient(_http, options);
        SchemaValidationException o = await Assert.ThrowsAsync<SchemaValidationException>(() => oxen.EnqueueAsync(new OxenFlex.Flux2FlexRequest { Prompt = "p", InputImage = eleven }, Within(10)));
        Assert.Contains(o.Violations, v => v.Path == "$.input_image" && v.Rule == "maxItems");

        var fal = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());
        await Assert.ThrowsAsync<SchemaValidationException>(() => fal.SubmitAsync(Edit(eleven), Within(10)));

        Assert.Empty(uploader.Uploads);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task CancellingDuringAnUploadSendsNoBilledRequest()
    {
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root, QueueTime = TimeSpan.FromMilliseconds(100), RunTime = TimeSpan.FromMilliseconds(100) });
        emulator.FailNext(Initiate, Fault.SlowResponse); // the initiate hangs until the client gives up
        var client = new FalEdit.FalFlux2FlexEditClient(_http, emulator.OptionsFor("fal"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SubmitAsync(Edit(ImageInput.FromBytes(PngBytes())), cancel.Token));

        Assert.Equal(1, emulator.CountOf("POST", Initiate));
        Assert.Equal(0, emulator.CountOf("POST", "/queue" + FalEditSubmit));
        Assert.Equal(0, emulator.JobCount);
    }

    [Fact]
    public async Task TheInputReachesTheModelThroughTheEmulatorsUploadAndChangesTheOutput()
    {
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root, QueueTime = TimeSpan.FromMilliseconds(100), RunTime = TimeSpan.FromMilliseconds(100) });
        SchemaClientOptions options = emulator.OptionsFor("fal");
        options.PollInterval = TimeSpan.FromMilliseconds(50);
        var client = new FalEdit.FalFlux2FlexEditClient(_http, options);
        byte[] reference = PngBytes(5);
        string path = WriteFile("reference.png", reference);

        FalEdit.Flux2FlexOutput output = await client.SubmitAndWaitAsync(Edit(ImageInput.FromFile(path)) with { Seed = 9 }, null, Within(20));
        string saved = (await client.SaveAsync(output.Images![0].Url!, Path.Combine(_dir, "out.png"), null, Within(10))).Path;

        Assert.Equal(1, emulator.UploadCount);
        byte[] image = File.ReadAllBytes(saved);
        (int width, int height) = PngSize(image);
        Assert.Equal(ProviderEmulator.RenderImage("the same cat, in watercolour", 9, width, height, ProviderEmulator.TintOf(new[] { reference })), image);
        Assert.NotEqual(ProviderEmulator.RenderImage("the same cat, in watercolour", 9, width, height), image); // the input changed it
    }

    [Fact]
    public async Task OxenTakesALocalFileThroughFalsCdnUploaderAndTheGenerationUsesIt()
    {
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root, QueueTime = TimeSpan.FromMilliseconds(100), RunTime = TimeSpan.FromMilliseconds(100) });
        SchemaClientOptions options = emulator.OptionsFor("oxen");
        options.PollInterval = TimeSpan.FromMilliseconds(50);
        options.ImageUploader = new FalCdnUploader(_http, emulator.OptionsFor("fal"));
        var client = new OxenFlex.OxenFlux2FlexClient(_http, options);
        byte[] reference = PngBytes(3);

        OxenGeneration done = await client.EnqueueAndWaitAsync(new OxenFlex.Flux2FlexRequest { Prompt = "Bloxy", Seed = 4, InputImage = [ImageInput.FromBytes(reference)] }, null, Within(20));
        var file = new MemoryStream();
        await client.DownloadAsync(done.ResultUrl!, file, Within(10));

        Assert.Equal(1, emulator.UploadCount);
        (int width, int height) = PngSize(file.ToArray());
        Assert.Equal(ProviderEmulator.RenderImage("Bloxy", 4, width, height, ProviderEmulator.TintOf(new[] { reference })), file.ToArray());
    }

    [Fact]
    public async Task TheEmulatorRefusesAnUnreachableInputWithTheProvidersErrorShape()
    {
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root });
        var client = new FalEdit.FalFlux2FlexEditClient(_http, emulator.OptionsFor("fal"));

        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => client.SubmitAsync(Edit("http://127.0.0.1:1/nothing-here.png"), Within(20)));

        Assert.Equal(422, (int)e.StatusCode);
        Assert.Contains("image_urls[0]", e.BodyExcerpt, StringComparison.Ordinal);
        Assert.Contains("could not be fetched", e.BodyExcerpt, StringComparison.Ordinal);
        Assert.Equal(0, emulator.JobCount);
    }

    [Fact]
    public async Task AFalSyncModeResultIsSavedFromItsDataUriWithNoRequest()
    {
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root });
        var client = new FalFlex.FalFlux2FlexClient(_http, emulator.OptionsFor("fal"));

        FalFlex.Flux2FlexOutput output = await client.RunAsync(new FalFlex.Flux2FlexInput { Prompt = "a lighthouse", Seed = 11, SyncMode = true }, Within(20));
        string url = output.Images![0].Url!;
        Assert.StartsWith("data:image/png;base64,", url, StringComparison.Ordinal);
        int before = emulator.RequestCount;

        SavedFile saved = await client.SaveAsync(url, Path.Combine(_dir, "lighthouse.jpg"), null, Within(10));

        Assert.Equal(before, emulator.RequestCount); // decoded here: no request for a data URI
        Assert.Equal(Path.Combine(_dir, "lighthouse.png"), saved.Path); // the extension follows the content
        Assert.Equal("image/png", saved.ContentType);
        byte[] image = File.ReadAllBytes(saved.Path);
        Assert.Equal(image.Length, saved.Bytes);
        (int width, int height) = PngSize(image);
        Assert.Equal(ProviderEmulator.RenderImage("a lighthouse", 11, width, height), image);
        Assert.Equal(new[] { "lighthouse.png" }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray()); // no temporary file left
    }

    [Fact]
    public async Task ACancelledSaveLeavesNoFileAndKeepsAnExistingOne()
    {
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = Root });
        var client = new FalFlex.FalFlux2FlexClient(_http, emulator.OptionsFor("fal"));
        string target = WriteFile("kept.png", PngBytes(1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SaveAsync(DataUri.Create(PngBytes(2), "image/png"), target, null, cancelled.Token));

        Assert.Equal(PngBytes(1), File.ReadAllBytes(target));
        Assert.Equal(new[] { "kept.png" }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public async Task AResultUrlIsDownloadedAndItsExtensionFollowsTheGivenContentType()
    {
        _server.On("GET", "/files/result", new Scripted(200, "JPEGDATA", "image/jpeg"));
        var client = new FalFlex.FalFlux2FlexClient(_http, ReplayOptions());

        SavedFile saved = await client.SaveAsync(_server.BaseUrl + "files/result", Path.Combine(_dir, "out.png"), "image/jpeg", Within(10));

        Assert.Equal(Path.Combine(_dir, "out.jpg"), saved.Path);
        Assert.Equal("JPEGDATA", File.ReadAllText(saved.Path));
        Assert.Null(_server.To("GET", "/files/result").Single().Header("Authorization"));
    }

    [Theory]
    [InlineData("out.png", "image/png", "out.png")]
    [InlineData("out.png", "image/jpeg", "out.jpg")]
    [InlineData("out.jpeg", "image/jpeg", "out.jpeg")]
    [InlineData("out", "image/webp", "out.webp")]
    [InlineData("out.png", "IMAGE/JPEG; charset=binary", "out.jpg")]
    [InlineData("out.png", "application/octet-stream", "out.png")]
    [InlineData("out.png", null, "out.png")]
    [InlineData("out.png", "image/jpg", "out.jpg")]
    [InlineData("out.png", "image/gif", "out.gif")]
    [InlineData("out.png", "  image/webp ", "out.webp")]
    public void TheSavedExtensionFollowsTheContentType(string path, string? contentType, string expected)
        => Assert.Equal(expected, ResultFiles.PathFor(path, contentType));

    [Fact]
    public void FindFilesKeepsDataUrisAndTheContentTypeBesideThem()
    {
        using JsonDocument answer = JsonDocument.Parse("{\"images\": [{\"url\": \"data:image/png;base64,iVBORw0KGgo=\", \"content_type\": \"image/png\"}, {\"url\": \"https://v3.fal.media/x.jpg\"}], \"prompt\": \"not a url\"}");
        IReadOnlyList<ResultFile> files = ResultFiles.FindFiles(answer.RootElement);
        Assert.Equal(new[] { new ResultFile("data:image/png;base64,iVBORw0KGgo=", "image/png"), new ResultFile("https://v3.fal.media/x.jpg", null) }, files);
        Assert.True(files[0].IsDataUri);
        Assert.DoesNotContain("iVBOR", files[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(new[] { new Uri("https://v3.fal.media/x.jpg") }, ResultFiles.FindUrls(answer.RootElement)); // unchanged: URLs only
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF }, "image/jpeg")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, "image/webp")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'A', (byte)'V', (byte)'E' }, null)]
    [InlineData(new byte[] { (byte)'X', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, null)]
    [InlineData(new byte[] { (byte)'R', (byte)'X', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, null)]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'E', (byte)'B' }, null)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A }, null)]
    [InlineData(new byte[] { 0xFF, 0xD8 }, null)]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a' }, null)]
    public void ContentTypesComeFromTheSignature(byte[] bytes, string? expected) => Assert.Equal(expected, ImageFormats.Sniff(bytes));

    [Theory]
    [InlineData("https://example.com/a.png", ImageInputKind.Url)]
    [InlineData("HTTP://example.com/a.png", ImageInputKind.Url)]
    [InlineData("data:image/png;base64,iVBORw0KGgo=", ImageInputKind.DataUri)]
    [InlineData("DATA:image/png;BASE64,iVBORw0KGgo=", ImageInputKind.DataUri)]
    public void StringsConvertWhenTheyAreUrlsOrDataUris(string text, ImageInputKind kind) => Assert.Equal(kind, ((ImageInput)text).Kind);

    [Theory]
    [InlineData("cat.png")]
    [InlineData("/tmp/cat.png")]
    [InlineData("ftp://example.com/cat.png")]
    [InlineData("data:image/png,not-base64")]
    [InlineData("")]
    public void OtherStringsAreRefusedWithAdvice(string text)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => ImageInput.Parse(text));
        Assert.True(e.Message.Contains("ImageInput.FromFile", StringComparison.Ordinal) || e.Message.Contains("data URI", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void AnUnresolvedLocalImageIsNeverWrittenByTheJsonConverterOnItsOwn()
    {
        var request = new FalEdit.Flux2FlexInput { Prompt = "p", ImageUrls = [ImageInput.FromBytes(PngBytes())] };
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => JsonSerializer.Serialize(request, Schemas.SchemaClientsJsonContext.Default.FalFlux2FlexEditFlux2FlexInput));
        Assert.Contains("uploaded before it is sent", e.Message, StringComparison.Ordinal);

        var urls = new FalEdit.Flux2FlexInput { Prompt = "p", ImageUrls = ["https://example.com/a.png"] };
        Assert.Contains("\"image_urls\":[\"https://example.com/a.png\"]", JsonSerializer.Serialize(urls, Schemas.SchemaClientsJsonContext.Default.FalFlux2FlexEditFlux2FlexInput), StringComparison.Ordinal);
    }

    [Fact]
    public void ImageInputsDescribeThemselvesWithoutTheirContent()
    {
        string dataUri = DataUri.Create(PngBytes(), "image/png");
        Assert.DoesNotContain("iVBOR", ImageInput.FromDataUri(dataUri).ToString(), StringComparison.Ordinal);
        Assert.StartsWith("data URI (image/png, ", ImageInput.FromDataUri(dataUri).ToString(), StringComparison.Ordinal);
        Assert.Equal("file 'x/cat.png'", ImageInput.FromFile("x/cat.png").ToString());
        Assert.Equal("cat.png", ImageInput.FromFile("x/cat.png").FileName);
    }

    [Fact]
    public async Task AStreamIsReadOnceAndGivesTheSameBytesWhenSentAgain()
    {
        byte[] png = PngBytes();
        ImageInput input = ImageInput.FromStream(new MemoryStream(png));
        ImageContent first = await input.ReadAsync(Within(5));
        ImageContent second = await input.ReadAsync(Within(5));
        Assert.Equal(png, first.Bytes.ToArray());
        Assert.Equal(png, second.Bytes.ToArray());
        Assert.Equal("image.png", first.FileName);
    }

    [Fact]
    public async Task AStreamReadCancelledHalfwayIsReadAgainFromItsStartWhenItCanSeek()
    {
        byte[] png = PngBytes();
        var stream = new MemoryStream(new byte[] { 9, 9, 9 }.Concat(png).ToArray()) { Position = 3 };
        ImageInput input = ImageInput.FromStream(new CancellingStream(stream, cancelAfterFirstRead: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => input.ReadAsync(Within(5)));

        ImageContent content = await input.ReadAsync(Within(5));
        Assert.Equal(png, content.Bytes.ToArray());
    }

    /// <summary>A stream whose second read throws as a cancelled one would, after the first returned one byte.</summary>
    private sealed class CancellingStream(MemoryStream inner, bool cancelAfterFirstRead) : Stream
    {
        private bool _cancelNext = cancelAfterFirstRead;
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_reads++ == 1 && _cancelNext)
            {
                _cancelNext = false;
                throw new OperationCanceledException();
            }

            return inner.ReadAsync(buffer.Slice(0, Math.Min(1, buffer.Length)), cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AFileOfExactlyTheLimitIsAcceptedAndAStreamOverItIsRefused()
    {
        string path = Path.Combine(_dir, "exact.png");
        using (FileStream file = File.Create(path))
        {
            file.Write(PngBytes());
            file.SetLength(ImageInput.MaxFileBytes);
        }

        Assert.Equal(ImageInput.MaxFileBytes, (await ImageInput.FromFile(path).ReadAsync(Within(10))).Bytes.Length);
        byte[] over = new byte[ImageInput.MaxFileBytes + 1];
        PngBytes().CopyTo(over, 0);
        var big = new MemoryStream(over);
        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(() => ImageInput.FromStream(big, fileName: "big.png").ReadAsync(Within(10)));
        Assert.Contains("The image stream ('big.png') is over 20 MiB", e.Message, StringComparison.Ordinal);
        InvalidDataException b = await Assert.ThrowsAsync<InvalidDataException>(() => ImageInput.FromBytes(new byte[ImageInput.MaxFileBytes + 1]).ReadAsync(Within(10)));
        Assert.Contains("is over 20 MiB", b.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRefusalsSayWhatWasGivenAndWhy()
    {
        InvalidDataException notImage = await Assert.ThrowsAsync<InvalidDataException>(() => ImageInput.FromBytes(new byte[] { 1, 2, 3 }, "image/png", "x.png").ReadAsync(Within(5)));
        Assert.Equal("The image 3 bytes ('x.png') is not a PNG, JPEG or WebP image (its first bytes say otherwise; it was declared image/png).", notImage.Message);
        InvalidDataException plain = await Assert.ThrowsAsync<InvalidDataException>(() => ImageInput.FromBytes(new byte[] { 1, 2 }).ReadAsync(Within(5)));
        Assert.Equal("The image 2 bytes is not a PNG, JPEG or WebP image (its first bytes say otherwise).", plain.Message);
        FileNotFoundException missing = await Assert.ThrowsAsync<FileNotFoundException>(() => ImageInput.FromFile(Path.Combine(_dir, "gone.png")).ReadAsync(Within(5)));
        Assert.Equal("The image file '" + Path.Combine(_dir, "gone.png") + "' does not exist.", missing.Message);
        Assert.Equal(Path.Combine(_dir, "gone.png"), missing.FileName);
        Assert.Throws<InvalidOperationException>(() => { _ = ImageInput.Parse("https://example.com/a.png").ReadAsync(Within(5)); }); // thrown at once, not in the task
        Assert.Equal("stream ('s.png')", ImageInput.FromStream(new MemoryStream(), fileName: "s.png").ToString());
        Assert.Equal("stream", ImageInput.FromStream(new MemoryStream()).ToString());
        Assert.Equal("1,234 bytes ('b.png')", ImageInput.FromBytes(new byte[1234], fileName: "b.png").ToString());
        Assert.Equal("data URI (image/png, 26 characters)", ImageInput.FromDataUri("data:image/png;base64,AAAA").ToString());
        Assert.Equal("image.jpg", (await ImageInput.FromBytes(JpegBytes).ReadAsync(Within(5))).FileName);
        Assert.True(ImageInput.Parse("https://example.com/a.png").IsUrl);
        Assert.False(ImageInput.FromBytes(JpegBytes).IsUrl);
        ArgumentException scheme = Assert.Throws<ArgumentException>(() => ImageInput.FromUrl(new Uri("ftp://example.com/a.png")));
        Assert.Contains("'ftp://example.com/a.png'", scheme.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImageInput.FromUrl(new Uri("/relative.png", UriKind.Relative)));
        Assert.Equal(ImageInputKind.Url, ImageInput.FromUrl(new Uri("http://example.com/a.png")).Kind);
        string longText = "not-a-url-" + new string('x', 200);
        ArgumentException shortened = Assert.Throws<ArgumentException>(() => ImageInput.Parse(longText));
        Assert.Contains("'" + longText.Substring(0, 80) + "...'", shortened.Message, StringComparison.Ordinal);
        Assert.Contains("must be an absolute http or https URL or a data: URI", shortened.Message, StringComparison.Ordinal);
        ArgumentException notData = Assert.Throws<ArgumentException>(() => ImageInput.FromDataUri("data:image/png,raw"));
        Assert.Contains("Not a Base64 data URI (data:<type>;base64,<data>): 'data:image/png,raw'.", notData.Message, StringComparison.Ordinal);
        var unreadable = new MemoryStream();
        unreadable.Dispose();
        Assert.Throws<ArgumentException>(() => ImageInput.FromStream(unreadable));
        Assert.Throws<ArgumentNullException>(() => ImageInput.FromUrl(null!));
        Assert.Throws<ArgumentNullException>(() => ImageInput.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => ImageInput.FromDataUri(null!));
        Assert.Throws<ArgumentNullException>(() => ImageInput.FromStream(null!));
        Assert.ThrowsAny<ArgumentException>(() => ImageInput.FromFile(""));
    }

    [Fact]
    public async Task AStreamThatCannotSeekIsNotReadAgainAfterACancelledRead()
    {
        ImageInput input = ImageInput.FromStream(new ForwardOnly(new CancellingStream(new MemoryStream(PngBytes()), cancelAfterFirstRead: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => input.ReadAsync(Within(5)));
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => input.ReadAsync(Within(5)));
        Assert.Contains("cannot seek back", e.Message, StringComparison.Ordinal);
    }

    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task ADataUriOverTheInlineLimitIsUploadedToFalAndOneUnderItIsSentAsGiven()
    {
        ScriptUpload();
        var client = new FalEdit.FalFlux2FlexEditClient(_http, ReplayOptions());
        byte[] small = new byte[ImageInput.MaxInlineBytes - 4096];
        byte[] large = new byte[ImageInput.MaxInlineBytes + 4096];
        PngBytes().CopyTo(small, 0);
        PngBytes().CopyTo(large, 0);

        await client.SubmitAsync(Edit(DataUri.Create(small, "image/png")), Within(20));
        Assert.Empty(_server.To("POST", Initiate));
        await client.SubmitAsync(Edit(DataUri.Create(large, "image/png")), Within(20));
        Assert.Single(_server.To("POST", Initiate));
        Assert.Equal(large, _server.To("PUT", "/upload/target").Single().Raw);
    }

    [Fact]
    public async Task AnUploaderThatGivesNoHttpUrlIsRefusedBeforeTheBilledCall()
    {
        SchemaClientOptions options = ReplayOptions();
        options.ImageUploader = new FixedUploader(new Uri("ftp://files.example.com/a.png"));
        var client = new OxenFlex.OxenFlux2FlexClient(_http, options);
        InvalidOperationException e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.EnqueueAsync(new OxenFlex.Flux2FlexRequest { Prompt = "p", InputImage = [ImageInput.FromBytes(PngBytes())] }, Within(10)));
        Assert.StartsWith("SchemaClientOptions.ImageUploader gave 'ftp://files.example.com/a.png' for ", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task FalsCdnUploaderWorksOnItsOwnWithItsOwnKey()
    {
        _server.On("POST", Initiate, Scripted.Json(200, "{\"upload_url\": \"" + _server.BaseUrl + "upload/target\", \"file_url\": \"" + FileUrl + "\"}"));
        _server.On("PUT", "/upload/target", new Scripted(200, null));
        var uploader = new FalCdnUploader(_http, new SchemaClientOptions { ApiKey = "own-fal-key", StorageBaseAddress = _server.BaseUrl });
        Assert.Equal(_server.BaseUrl, uploader.StorageBaseAddress);
        Assert.Equal(new Uri(FileUrl), await uploader.UploadAsync(JpegBytes, "image/jpeg", Within(10)));
        Seen initiate = _server.To("POST", Initiate).Single();
        Assert.Equal("Key own-fal-key", initiate.Header("Authorization"));
        using (JsonDocument body = JsonDocument.Parse(initiate.Body))
        {
            Assert.Equal("image.jpg", body.RootElement.GetProperty("file_name").GetString());
        }

        Assert.Equal(new Uri("https://rest.alpha.fal.ai"), FalCdnUploader.DefaultStorageBaseAddress);
        Assert.Equal(new Uri("https://rest.alpha.fal.ai"), new FalCdnUploader(_http, new SchemaClientOptions { ApiKey = "k" }).StorageBaseAddress);
        string variable = "SCHEMACLIENTS_TEST_FAL_" + Guid.NewGuid().ToString("N");
        InvalidOperationException none = Assert.Throws<InvalidOperationException>(() => new FalCdnUploader(_http, new SchemaClientOptions { ApiKeyEnvironmentVariable = variable }));
        Assert.Contains(variable, none.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new FalCdnUploader(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FalCdnUploader(_http, new SchemaClientOptions { ApiKey = "k", WaitTimeout = TimeSpan.Zero }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => uploader.UploadAsync(JpegBytes, "", Within(5)));
    }

    [Fact]
    public async Task AnInitiateAnswerWithoutItsUrlsIsAProviderErrorAndNothingIsPut()
    {
        _server.On("POST", Initiate, Scripted.Json(200, "{\"upload_url\": \"not a url\"}"));
        var uploader = new FalCdnUploader(_http, new SchemaClientOptions { ApiKey = "own-fal-key", StorageBaseAddress = _server.BaseUrl });
        ProviderApiException e = await Assert.ThrowsAsync<ProviderApiException>(() => uploader.UploadAsync(JpegBytes, "image/jpeg", Within(10)));
        Assert.Contains("no absolute upload_url", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.To("PUT", "/upload/target"));
    }

    private sealed class FixedUploader(Uri url) : IImageUploader
    {
        public Task<Uri> UploadAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) => Task.FromResult(url);
    }

    [Fact]
    public void DataUrisDecodeWithinTheirLimit()
    {
        byte[] png = PngBytes();
        string uri = DataUri.Create(png, "image/png");
        Assert.Equal(png, DataUri.Decode(uri, png.Length, "it"));
        Assert.Throws<InvalidDataException>(() => DataUri.Decode(uri, png.Length - 10, "it"));
        Assert.Throws<InvalidDataException>(() => DataUri.Decode("data:image/png;base64,***", 100, "it"));
        Assert.True(DataUri.TryParseHeader("data:;base64,AA==", out string type, out int start));
        Assert.Equal("text/plain", type);
        Assert.Equal(13, start);
        Assert.False(DataUri.TryParseHeader("data:image/png,raw", out _, out _));
        Assert.False(DataUri.TryParseHeader("data:" + new string('x', 1100) + ";base64,AA==", out _, out _)); // a header that long is not one
        Assert.False(DataUri.TryParseHeader("data:image/png;base64", out _, out _));
        Assert.False(DataUri.TryParseHeader("https://example.com/a.png", out string none, out int noStart));
        Assert.Equal(string.Empty, none);
        Assert.Equal(-1, noStart);
        Assert.Equal(png, DataUri.Decode(DataUri.Create(png, "image/png").Replace("=", "%3D", StringComparison.Ordinal), png.Length, "it")); // padding percent-escaped
        InvalidDataException tooBig = Assert.Throws<InvalidDataException>(() => DataUri.Decode(DataUri.Create(new byte[3000], "image/png"), 1000, "The result"));
        Assert.Equal("The result holds about 3,000 bytes, over the 1,000 accepted.", tooBig.Message);
        InvalidDataException bad = Assert.Throws<InvalidDataException>(() => DataUri.Decode("data:image/png;base64,***", 100, "The result"));
        Assert.Equal("The result has content that is not valid Base64.", bad.Message);
        InvalidDataException header = Assert.Throws<InvalidDataException>(() => DataUri.Decode("data:image/png,raw", 100, "The result"));
        Assert.Equal("The result is not a Base64 data URI (data:<type>;base64,<data>).", header.Message);
        Assert.Throws<ArgumentNullException>(() => DataUri.Decode(null!, 1, "it"));
        Assert.ThrowsAny<ArgumentException>(() => DataUri.Create(png, ""));
    }

    [Fact]
    public void OptionsBindTheStorageHostAndInlineImagesFromConfiguration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["SchemaClients:Fal:StorageBaseAddress"] = "https://storage.example.com", ["SchemaClients:Fal:InlineImages"] = "true" })
            .Build();
        SchemaClientOptions options = SchemaClientOptionsBinder.Bind(new SchemaClientOptions(), configuration.GetSection("SchemaClients:Fal"));
        Assert.Equal(new Uri("https://storage.example.com"), options.StorageBaseAddress);
        Assert.True(options.InlineImages);
        Assert.Throws<ArgumentException>(() => new SchemaClientOptions { StorageBaseAddress = new Uri("ftp://x") }.Validate());
    }

    private static (int Width, int Height) PngSize(byte[] png)
        => (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

    /// <summary>An uploader of the user's own, recording what it was given.</summary>
    private sealed class RecordingUploader : IImageUploader
    {
        public List<(byte[] Content, string ContentType)> Uploads { get; } = new();

        public Task<Uri> UploadAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
        {
            Uploads.Add((content.ToArray(), contentType));
            return Task.FromResult(new Uri("https://uploads.example.com/" + Uploads.Count + ".png"));
        }
    }
}
