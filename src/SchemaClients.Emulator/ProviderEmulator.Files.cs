using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using SchemaClients.Files;
using SchemaClients.Validation;

namespace SchemaClients.Emulator;

/// <summary>
/// Files in and out, as PROVIDERS.md has them: fal's two-step CDN upload (initiate with fal's key, then a PUT of the
/// bytes to a signed URL), input images read from data URIs (fal only) or URLs, and inputs that change the output.
/// </summary>
public sealed partial class ProviderEmulator
{
    private const string UploadInitiate = "/storage/upload/initiate";
    private const string UploadTarget = "/storage/uploads/";
    private const string UploadedFiles = "/files/uploads/";

    /// <summary>The largest upload the emulator stores.</summary>
    private const int MaxUpload = 32 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Upload> _uploads = new(StringComparer.Ordinal);
    private readonly HttpClient _fetcher = new() { Timeout = TimeSpan.FromSeconds(5) };

    private sealed class Upload(string token, string contentType)
    {
        public string Token { get; } = token;

        public string ContentType { get; } = contentType;

        public byte[]? Bytes { get; set; }
    }

    /// <summary>Files stored through fal's upload endpoints (initiated and put).</summary>
    public int UploadCount
    {
        get
        {
            int count = 0;
            foreach (KeyValuePair<string, Upload> upload in _uploads)
            {
                count += upload.Value.Bytes != null ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>The tint an input image gives the output: three bytes of SHA-256 over every input's bytes, in order.</summary>
    public static (byte R, byte G, byte B) TintOf(IReadOnlyList<byte[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (byte[] input in inputs)
        {
            sha.AppendData(input);
        }

        byte[] hash = sha.GetHashAndReset();
        return (hash[0], hash[1], hash[2]);
    }

    /// <summary>The PNG the emulator renders for a prompt, seed, size and (for an edit) its inputs' tint.</summary>
    public static byte[] RenderImage(string prompt, long seed, int width, int height, (byte R, byte G, byte B)? tint = null)
        => Png.Render(prompt, seed, width, height, tint);

    /// <summary>fal's upload endpoints; true when the request was one of them (answered here).</summary>
    private async Task<bool> HandleUploadAsync(HttpContext context, string path, string method)
    {
        if (method == "PUT" && path.StartsWith(UploadTarget, StringComparison.Ordinal))
        {
            // The signed URL: no key, the token in the query is the signature.
            string id = path.Substring(UploadTarget.Length);
            if (!_uploads.TryGetValue(id, out Upload? upload) || context.Request.Query["token"] != upload.Token)
            {
                await JsonAsync(context, 403, "{\"detail\":\"invalid or expired upload URL\"}").ConfigureAwait(false);
                return true;
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > MaxUpload)
            {
                await JsonAsync(context, 413, "{\"detail\":\"file too large\"}").ConfigureAwait(false);
                return true;
            }

            upload.Bytes = buffer.ToArray();
            context.Response.StatusCode = 200;
            return true;
        }

        if (method == "GET" && path.StartsWith(UploadedFiles, StringComparison.Ordinal))
        {
            if (!_uploads.TryGetValue(path.Substring(UploadedFiles.Length), out Upload? stored) || stored.Bytes == null)
            {
                context.Response.StatusCode = 404;
                return true;
            }

            context.Response.ContentType = stored.ContentType;
            context.Response.ContentLength = stored.Bytes.Length;
            await context.Response.Body.WriteAsync(stored.Bytes, context.RequestAborted).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    /// <summary>fal's initiate: <c>{"content_type","file_name"}</c> answers <c>{"upload_url","file_url"}</c> (the caller checked the key).</summary>
    private async Task InitiateUploadAsync(HttpContext context)
    {
        using JsonDocument? body = await ReadJsonAsync(context).ConfigureAwait(false);
        if (body == null)
        {
            return;
        }

        JsonElement root = body.RootElement;
        string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("content_type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (string.IsNullOrEmpty(type))
        {
            var missing = new ViolationCollector();
            missing.Add("$.content_type", "required", "a content type", "(missing)");
            await RejectInvalidAsync(context, missing.ToResult()).ConfigureAwait(false);
            return;
        }

        string id = Guid.NewGuid().ToString("N");
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _uploads[id] = new Upload(token, type!);
        await JsonAsync(context, 200, "{\"upload_url\":" + Quote(BaseOf(context) + UploadTarget + id + "?token=" + token)
            + ",\"file_url\":" + Quote(BaseOf(context) + UploadedFiles + id) + "}").ConfigureAwait(false);
    }

    /// <summary>The input images of a request as its provider names them: fal's <c>image_urls</c>, Oxen's <c>input_image</c> (one or a list), apiframe's <c>fluxParams.input_images</c>.</summary>
    private static List<string> InputImagesOf(string provider, JsonElement body)
    {
        var found = new List<string>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            return found;
        }

        JsonElement holder = provider == "apiframe" && body.TryGetProperty("fluxParams", out JsonElement flux) && flux.ValueKind == JsonValueKind.Object ? flux : body;
        string name = provider switch { "fal" => "image_urls", "oxen" => "input_image", _ => "input_images" };
        if (!holder.TryGetProperty(name, out JsonElement value))
        {
            return found;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            found.Add(value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in value.EnumerateArray())
            {
                found.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
            }
        }

        return found;
    }

    /// <summary>
    /// Reads every input image: a data URI (fal documents them; the others take URLs only), a file this emulator serves,
    /// or any other URL, fetched. Each must be a PNG, JPEG or WebP. The violations say which input failed and why.
    /// </summary>
    private async Task<(List<byte[]> Inputs, ValidationResult Problems)> ReadInputsAsync(HttpContext context, string provider, JsonElement body)
    {
        List<string> sources = InputImagesOf(provider, body);
        var inputs = new List<byte[]>(sources.Count);
        var problems = new ViolationCollector();
        string field = provider switch { "fal" => "$.image_urls", "oxen" => "$.input_image", _ => "$.fluxParams.input_images" };
        for (int i = 0; i < sources.Count; i++)
        {
            string source = sources[i];
            string where = field + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
            string shown = source.Length > 60 ? source.Substring(0, 60) + "..." : source;
            byte[]? bytes = null;
            string? why = null;
            if (DataUri.IsDataUri(source))
            {
                if (provider != "fal")
                {
                    why = "a data URI; " + provider + " takes image URLs only";
                }
                else
                {
                    try
                    {
                        bytes = DataUri.Decode(source, MaxUpload, "the data URI");
                    }
                    catch (InvalidDataException e)
                    {
                        why = e.Message;
                    }
                }
            }
            else if (!Uri.TryCreate(source, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                why = "not an http(s) URL";
            }
            else
            {
                bytes = await FetchAsync(context, url).ConfigureAwait(false);
                why = bytes == null ? "could not be fetched" : null;
            }

            if (bytes != null && ImageFormats.Sniff(bytes) == null)
            {
                why = "not a PNG, JPEG or WebP image";
                bytes = null;
            }

            if (bytes != null)
            {
                inputs.Add(bytes);
            }
            else
            {
                problems.Add(where, "image", "a reachable PNG, JPEG or WebP image", Quote(shown) + ": " + why);
            }
        }

        return (inputs, problems.ToResult());
    }

    private async Task<byte[]?> FetchAsync(HttpContext context, Uri url)
    {
        if (string.Equals(url.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            // This emulator's own files: read directly, not through a second request to itself.
            string path = url.AbsolutePath;
            if (path.StartsWith(UploadedFiles, StringComparison.Ordinal))
            {
                return _uploads.TryGetValue(path.Substring(UploadedFiles.Length), out Upload? upload) ? upload.Bytes : null;
            }

            if (path.StartsWith("/files/", StringComparison.Ordinal))
            {
                string id = path.Substring("/files/".Length);
                id = id.EndsWith(".png", StringComparison.Ordinal) ? id.Substring(0, id.Length - 4) : id;
                return _jobs.TryGetValue(id, out Job? job) ? RenderOf(job) : null;
            }

            return null;
        }

        try
        {
            using HttpResponseMessage response = await _fetcher.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxUpload)
            {
                return null;
            }

            return await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static byte[] RenderOf(Job job) => Png.Render(job.Prompt, job.Seed, job.Size.Width, job.Size.Height, job.Tint);
}
