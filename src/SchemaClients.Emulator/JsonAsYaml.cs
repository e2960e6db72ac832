using System.Linq;
using System.Text;
using System.Text.Json;

namespace SchemaClients.Emulator;

/// <summary>Writes a JSON document as block-style YAML (strings double-quoted), to emulate providers that serve YAML.</summary>
internal static class JsonAsYaml
{
    public static string Write(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var text = new StringBuilder();
        WriteValue(text, document.RootElement, 0, afterKey: false);
        return text.ToString();
    }

    private static void WriteValue(StringBuilder text, JsonElement value, int indent, bool afterKey)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when value.EnumerateObject().Any():
                if (afterKey)
                {
                    text.Append('\n');
                }

                foreach (JsonProperty property in value.EnumerateObject())
                {
                    text.Append(' ', indent).Append(Quote(property.Name)).Append(':');
                    WriteValue(text, property.Value, indent + 2, afterKey: true);
                }

                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                if (afterKey)
                {
                    text.Append('\n');
                }

                foreach (JsonElement item in value.EnumerateArray())
                {
                    text.Append(' ', indent).Append("- ");
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array && (item.ValueKind == JsonValueKind.Object ? item.EnumerateObject().Any() : item.GetArrayLength() > 0))
                    {
                        // Nested collections in flow style keep the writer small; YAML reads them the same.
                        text.Append(item.GetRawText().Replace("\n", " ")).Append('\n');
                    }
                    else
                    {
                        WriteScalar(text, item);
                    }
                }

                break;
            default:
                if (afterKey)
                {
                    text.Append(' ');
                }

                WriteScalar(text, value);
                break;
        }
    }

    private static void WriteScalar(StringBuilder text, JsonElement value)
    {
        text.Append(value.ValueKind switch
        {
            JsonValueKind.String => Quote(value.GetString()!),
            JsonValueKind.Object => "{}",
            JsonValueKind.Array => "[]",
            _ => value.GetRawText(),
        }).Append('\n');
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, EmulatorJsonContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class EmulatorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
