using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SchemaClients.Cli.Tests;

/// <summary>The semantic change report over one before/after pair that changes many things at once.</summary>
public sealed class ChangeReportTests
{
    [Fact]
    public void EveryKindOfChangeIsNamedAndClassed()
    {
        string path = Path.Combine(CliTests.RepositoryRoot, "schemas", "fal", "flux-2-flex.json");
        string before = File.ReadAllText(path);
        JsonObject doc = JsonNode.Parse(before)!.AsObject();
        JsonObject input = doc["components"]!["schemas"]!["Flux2FlexInput"]!.AsObject();
        JsonObject p = input["properties"]!.AsObject();
        p["num_inference_steps"]!["maximum"] = 40;                  // range narrowed
        p["guidance_scale"]!["minimum"] = 1;                         // range widened
        p["guidance_scale"]!["default"] = 4;                         // default changed
        p["output_format"]!["enum"]!.AsArray().RemoveAt(1);          // closed enum value removed ("png")
        p["output_format"]!["enum"]!.AsArray().Add("webp");          // and one added
        p.Remove("sync_mode");                                       // parameter removed
        p["negative_prompt"] = new JsonObject { ["type"] = "string" }; // parameter added
        p["seed"] = new JsonObject { ["type"] = "integer" };         // null no longer allowed
        p["enable_safety_checker"]!["type"] = "string";              // type changed
        input["required"]!.AsArray().Add("enable_prompt_expansion"); // made required
        doc["paths"]!.AsObject().Remove("/fal-ai/flux-2-flex/requests/{request_id}/cancel"); // transport removed

        var changes = ChangeReport.Compare(SchemaFiles.Parse(path, before), SchemaFiles.Parse(path, doc.ToJsonString()));
        string[] seen = changes.Select(c => c.Kind + (c.Breaking ? "!" : "") + " " + c.Subject).ToArray();
        Assert.Equal(
            new[]
            {
                "parameter-removed! Flux2FlexInput.sync_mode",
                "parameter-added Flux2FlexInput.negative_prompt",
                "made-required! Flux2FlexInput.enable_prompt_expansion",
                "null-no-longer-allowed! Flux2FlexInput.seed",
                "type-changed! Flux2FlexInput.enable_safety_checker",
                "default-changed Flux2FlexInput.guidance_scale",
                "range-widened Flux2FlexInput.guidance_scale minimum",
                "range-narrowed! Flux2FlexInput.num_inference_steps maximum",
                "enum-value-removed! OutputFormat",
                "enum-value-added OutputFormat",
                "transport-removed! PUT /fal-ai/flux-2-flex/requests/{request_id}/cancel",
            },
            seen);
    }
}
