using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using Microsoft.CodeAnalysis;
using SchemaClients.Generator;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Parsing;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Cli;

/// <summary>Reading, normalizing and checking schema files with the generator's own reader and parser.</summary>
internal static class SchemaFiles
{
    private static readonly GeneratorOptions Options = new("Schemas", null);

    /// <summary>Parses a schema text exactly as the build does.</summary>
    public static DocumentSpec Parse(string path, string text) => ParseWithDiagnostics(path, text).Spec;

    /// <summary>Parses a schema text exactly as the build does, with the diagnostics the build reports for it.</summary>
    public static ParsedDocument ParseWithDiagnostics(string path, string text) => DocumentParser.Parse(new SchemaFile(path, text), Options, CancellationToken.None);

    /// <summary>Every schema file under schemas/ as the build picks them (manifest.json left out).</summary>
    public static IEnumerable<string> All(string root) =>
        Directory.GetFiles(Path.Combine(root, "schemas"), "*.json", SearchOption.AllDirectories)
            .Where(p => SchemaClientsGenerator.IsSchemaFile(p.Replace('\\', '/')))
            .OrderBy(p => p, StringComparer.Ordinal);

    /// <summary>
    /// Stable form for checking in: two-space indentation, LF, a final newline, keys in the order served,
    /// non-ASCII text unescaped. Returns null and the reason when the text is not JSON.
    /// </summary>
    public static string? Normalize(string text, out string? error)
    {
        JsonReadResult strict = JsonReader.Read(text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text);
        if (strict.Root == null)
        {
            (int line, int column) = Position(text, strict.ErrorOffset);
            error = $"not valid JSON at line {line}, column {column}: {strict.Error}";
            return null;
        }

        JsonNode? node = JsonNode.Parse(text.TrimStart('\uFEFF'));
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, IndentSize = 2 };
        error = null;
        return node!.ToJsonString(options).Replace("\r\n", "\n") + "\n";
    }

    public static (int Line, int Column) Position(string text, int offset)
    {
        offset = Math.Min(offset, text.Length);
        string before = text.Substring(0, offset);
        return (before.Count(c => c == '\n') + 1, offset - (before.LastIndexOf('\n') + 1) + 1);
    }

    /// <summary>A diagnostic as the compiler prints it: file(line,col): severity ID: message.</summary>
    public static string Format(DiagnosticInfo diagnostic, string displayPath)
    {
        Diagnostic d = diagnostic.ToDiagnostic(helpLinkRoot: null);
        string where = diagnostic.Location == null ? displayPath
            : displayPath + "(" + (diagnostic.Location.StartLine + 1).ToString(CultureInfo.InvariantCulture) + "," + (diagnostic.Location.StartColumn + 1).ToString(CultureInfo.InvariantCulture) + ")";
        return where + ": " + d.Severity.ToString().ToLowerInvariant() + " " + d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture);
    }

    /// <summary>Writes beside the target first and renames over it, so a failure never leaves half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
