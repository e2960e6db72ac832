using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Serialization;

namespace SchemaClients.Cli;

/// <summary>What happened to one schema file: its changes, the provider's own inconsistencies, or the error.</summary>
internal sealed class FileReport
{
    [JsonPropertyName("file")]
    public string File { get; set; } = "";

    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    /// <summary>unchanged, changed, added, removed, skipped or failed.</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = "unchanged";

    [JsonPropertyName("changes")]
    public List<SchemaChange> Changes { get; set; } = new();

    [JsonPropertyName("warnings")]
    public List<string> Warnings { get; set; } = new();

    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonIgnore]
    public bool Failed => Error != null;

    public static string Render(IEnumerable<FileReport> reports)
    {
        var text = new StringBuilder();
        foreach (FileReport report in reports)
        {
            int breaking = report.Changes.Count(c => c.Breaking);
            text.Append(report.File);
            if (report.Provider != null)
            {
                text.Append(" (").Append(report.Provider).Append(' ').Append(report.Model).Append(')');
            }

            text.Append(": ").Append(report.Status);
            if (report.Changes.Count > 0)
            {
                text.Append(", ").Append(report.Changes.Count).Append(report.Changes.Count == 1 ? " change" : " changes")
                    .Append(", ").Append(breaking).Append(" breaking");
            }

            text.Append('\n');
            if (report.Error != null)
            {
                text.Append("  error: ").Append(report.Error).Append('\n');
            }

            foreach (SchemaChange change in report.Changes)
            {
                text.Append("  ").Append(change.Describe()).Append('\n');
            }

            foreach (string warning in report.Warnings)
            {
                text.Append("  warning: ").Append(warning).Append('\n');
            }
        }

        return text.ToString();
    }
}
