using System.Linq;
using System.Text.Json;
using SchemaClients.Validation;
using Xunit;

namespace SchemaClients.Runtime.Tests;

/// <summary>The runtime's schema graph on its own: a table as the generator writes it, walked over JSON.</summary>
public sealed class SchemaGraphTests
{
    // One node per line, as generated: integer limits at 2^53, where doubles stop being exact.
    private static readonly SchemaGraph Graph = SchemaGraph.Load("""
        [
        {"type":"integer","maximum":9007199254740992},
        {"type":"integer","exclusiveMinimum":9007199254740992},
        {"type":"integer","multipleOf":2}
        ]
        """u8);

    [Theory]
    [InlineData(0, "9007199254740992", true)]
    [InlineData(0, "9007199254740993", false)] // as a double it is 2^53 and would pass
    [InlineData(1, "9007199254740993", true)]
    [InlineData(1, "9007199254740992", false)]
    [InlineData(2, "9007199254740994", true)]
    [InlineData(2, "9007199254740995", false)] // as a double it is even
    [InlineData(0, "-9223372036854775808", true)]
    public void IntegersBeyondDoublePrecisionAreComparedAsIntegers(int node, string number, bool valid)
    {
        using JsonDocument json = JsonDocument.Parse(number);
        ValidationResult result = Graph.Validate(json.RootElement, node);
        Assert.True(valid == result.IsValid, number + ": " + string.Join(", ", result.Violations.Select(v => v.Rule)));
        Assert.Equal(valid, Graph.IsValid(json.RootElement, node));
    }
}
