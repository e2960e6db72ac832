using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SchemaClients.Cli;

/// <summary>schemas/manifest.json: for each checked-in file, which provider and model it is and where it is served.</summary>
internal sealed class Manifest
{
    [JsonPropertyName("entries")]
    public List<ManifestEntry> Entries { get; set; } = new();

    public static Manifest Load(string root)
    {
        string path = Path.Combine(root, "schemas", "manifest.json");
        if (!File.Exists(path))
        {
            throw new CliException($"{path} not found: run the tool from the repository root, or pass --root.");
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CliJsonContext.Default.Manifest) ?? new Manifest();
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not a valid manifest: {e.Message}");
        }
    }
}

/// <summary>One manifest entry.</summary>
internal sealed class ManifestEntry
{
    [JsonPropertyName("file")]
    public string File { get; set; } = "";

    [JsonPropertyName("provider")]
    public string Provider { get; set; } = "";

    [JsonPropertyName("model")]
    public string Model { get; set; } = "";

    /// <summary>The URL the document is fetched from; null when the provider serves no schema for it.</summary>
    [JsonPropertyName("fetchUrl")]
    public string? FetchUrl { get; set; }

    /// <summary>The header that carries the key, for example Authorization.</summary>
    [JsonPropertyName("authHeader")]
    public string? AuthHeader { get; set; }

    /// <summary>What goes before the key in the header (Bearer, Key), if anything.</summary>
    [JsonPropertyName("authScheme")]
    public string? AuthScheme { get; set; }

    /// <summary>The environment variable holding the key.</summary>
    [JsonPropertyName("authEnv")]
    public string? AuthEnv { get; set; }

    [JsonPropertyName("origin")]
    public string? Origin { get; set; }
}

/// <summary>A failure the user can act on: printed as one line, never with a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);

[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(List<FileReport>))]
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class CliJsonContext : JsonSerializerContext;
