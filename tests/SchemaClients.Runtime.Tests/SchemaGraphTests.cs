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

    // Typed values take a short path when a node's only rules for them are a type and bounds; every other rule walks.
    private static readonly SchemaGraph Typed = SchemaGraph.Load("""
        [
        {"type":"integer","minimum":0,"maximum":100,"multipleOf":5},
        {"type":"integer","maximum":10},
        {"enum":[1,2]},
        {"type":"string"},
        {"type":"number","exclusiveMaximum":1.5},
        {"not":1},
        {"type":"boolean","const":true}
        ]
        """u8);

    [Theory]
    [InlineData(0, 10L, true)]
    [InlineData(0, 7L, false)] // in range, not a multiple of 5
    [InlineData(0, 105L, false)]
    [InlineData(1, 10L, true)]
    [InlineData(1, 11L, false)]
    [InlineData(2, 2L, true)]
    [InlineData(2, 3L, false)] // no bounds, but an enum
    [InlineData(3, 1L, false)] // a string node
    [InlineData(5, 11L, true)]
    [InlineData(5, 3L, false)] // not an integer of at most 10
    [InlineData(1, 9007199254740993L, false)] // beyond 2^53: compared exactly
    public void TypedIntegersKeepEveryRuleBesideTheBounds(int node, long value, bool valid)
    {
        TypedValidation v = Typed.Quiet();
        v.Check(node, "x", value);
        Assert.Equal(valid, !v.HasFailed);
        TypedValidation report = Typed.Report();
        report.Check(node, "x", value);
        Assert.Equal(valid, report.Result().IsValid);
    }

    [Fact]
    public void TypedIntegersBeyondDoublePrecisionAreComparedExactly()
    {
        TypedValidation v = Graph.Quiet();
        v.Check(0, "x", 9007199254740993L); // maximum 2^53: as a double this is 2^53 and would pass
        Assert.True(v.HasFailed);
        TypedValidation w = Graph.Quiet();
        w.Check(0, "x", 9007199254740992L);
        Assert.False(w.HasFailed);
    }

    [Theory]
    [InlineData(1, 2.5, false)] // an integer node: a fraction is not an integer
    [InlineData(1, 3.0, true)]
    [InlineData(4, 1.4, true)]
    [InlineData(4, 1.5, false)]
    [InlineData(3, 1.0, false)]
    [InlineData(0, double.NaN, false)]
    public void TypedNumbersKeepTheirTypeAndBounds(int node, double value, bool valid)
    {
        TypedValidation v = Typed.Quiet();
        v.Check(node, "x", value);
        Assert.Equal(valid, !v.HasFailed);
    }

    [Theory]
    [InlineData(6, true, true)]
    [InlineData(6, false, false)] // const true
    [InlineData(3, true, false)] // a string node
    public void TypedBooleansKeepTheirTypeAndConst(int node, bool value, bool valid)
    {
        TypedValidation v = Typed.Quiet();
        v.Check(node, "x", value);
        Assert.Equal(valid, !v.HasFailed);
    }
}
