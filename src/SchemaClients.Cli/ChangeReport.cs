using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SchemaClients.Generator.Model;

namespace SchemaClients.Cli;

/// <summary>One change between two versions of a schema, in the words a user of the generated code needs.</summary>
/// <param name="Kind">What changed, for example <c>range-narrowed</c> or <c>enum-value-removed</c>.</param>
/// <param name="Subject">Where: <c>Type.json_name</c>, a type, or an operation.</param>
/// <param name="Before">The old value, when there was one.</param>
/// <param name="After">The new value, when there is one.</param>
/// <param name="Breaking">Whether code that compiled and worked before can stop compiling or start being rejected.</param>
public sealed record SchemaChange(string Kind, string Subject, string? Before, string? After, bool Breaking)
{
    /// <summary>A line for people.</summary>
    public string Describe() => (Breaking ? "BREAKING " : "         ") + Kind + ": " + Subject
        + (Before != null || After != null ? " (" + (Before ?? "none") + " -> " + (After ?? "none") + ")" : string.Empty);
}

/// <summary>
/// Compares the spec models of two versions of one schema file, built by the generator's own parser,
/// so the report speaks of exactly what the generated code will change.
/// </summary>
internal static class ChangeReport
{
    public static List<SchemaChange> Compare(DocumentSpec before, DocumentSpec after)
    {
        var changes = new List<SchemaChange>();
        Dictionary<string, TypeSpec> oldTypes = before.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Dictionary<string, TypeSpec> newTypes = after.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);

        foreach (TypeSpec type in before.Types.Where(t => !newTypes.ContainsKey(t.Name)))
        {
            changes.Add(new SchemaChange("type-removed", type.Name, Kind(type), null, true));
        }

        foreach (TypeSpec type in after.Types.Where(t => !oldTypes.ContainsKey(t.Name)))
        {
            changes.Add(new SchemaChange("type-added", type.Name, null, Kind(type), false));
        }

        foreach (TypeSpec newType in after.Types)
        {
            if (!oldTypes.TryGetValue(newType.Name, out TypeSpec? oldType))
            {
                continue;
            }

            if (oldType.Kind != newType.Kind)
            {
                changes.Add(new SchemaChange("type-changed", newType.Name, Kind(oldType), Kind(newType), true));
                continue;
            }

            CompareMembers(oldType, newType, changes);
            CompareProperties(oldType, newType, changes);
        }

        var oldOps = before.Operations.Select(Operation).ToHashSet(StringComparer.Ordinal);
        var newOps = after.Operations.Select(Operation).ToHashSet(StringComparer.Ordinal);
        changes.AddRange(oldOps.Where(o => !newOps.Contains(o)).Order(StringComparer.Ordinal).Select(o => new SchemaChange("transport-removed", o, null, null, true)));
        changes.AddRange(newOps.Where(o => !oldOps.Contains(o)).Order(StringComparer.Ordinal).Select(o => new SchemaChange("transport-added", o, null, null, false)));
        return changes;
    }

    private static string Operation(OperationSpec op) => op.Method + " " + op.Path;

    private static string Kind(TypeSpec type) => type.Kind switch
    {
        TypeSpecKind.Record => "object",
        TypeSpecKind.Enum => "enum",
        TypeSpecKind.OpenEnum => "open enum",
        _ => "union",
    };

    private static void CompareMembers(TypeSpec oldType, TypeSpec newType, List<SchemaChange> changes)
    {
        var oldValues = oldType.Members.Select(m => m.WireValue).ToList();
        var newValues = newType.Members.Select(m => m.WireValue).ToList();

        // Removing a value of a closed enum breaks code that uses it; an open enum still accepts any string.
        bool closed = newType.Kind == TypeSpecKind.Enum;
        foreach (string value in oldValues.Where(v => !newValues.Contains(v)))
        {
            changes.Add(new SchemaChange("enum-value-removed", newType.Name, Quote(value), null, closed));
        }

        foreach (string value in newValues.Where(v => !oldValues.Contains(v)))
        {
            changes.Add(new SchemaChange("enum-value-added", newType.Name, null, Quote(value), false));
        }
    }

    private static void CompareProperties(TypeSpec oldType, TypeSpec newType, List<SchemaChange> changes)
    {
        Dictionary<string, PropertySpec> oldProps = oldType.Properties.ToDictionary(p => p.JsonName, StringComparer.Ordinal);
        Dictionary<string, PropertySpec> newProps = newType.Properties.ToDictionary(p => p.JsonName, StringComparer.Ordinal);
        foreach (PropertySpec removed in oldType.Properties.Where(p => !newProps.ContainsKey(p.JsonName)))
        {
            changes.Add(new SchemaChange("parameter-removed", newType.Name + "." + removed.JsonName, removed.Type.Name, null, true));
        }

        foreach (PropertySpec added in newType.Properties.Where(p => !oldProps.ContainsKey(p.JsonName)))
        {
            changes.Add(new SchemaChange(added.Required ? "required-parameter-added" : "parameter-added", newType.Name + "." + added.JsonName, null, added.Type.Name, added.Required));
        }

        foreach (PropertySpec after in newType.Properties)
        {
            if (!oldProps.TryGetValue(after.JsonName, out PropertySpec? before))
            {
                continue;
            }

            string subject = newType.Name + "." + after.JsonName;
            if (before.Type.Name != after.Type.Name || before.Type.Kind != after.Type.Kind)
            {
                changes.Add(new SchemaChange("type-changed", subject, before.Type.Name, after.Type.Name, true));
            }

            if (before.Required != after.Required)
            {
                changes.Add(new SchemaChange(after.Required ? "made-required" : "made-optional", subject, null, null, after.Required));
            }

            if (before.Nullable != after.Nullable)
            {
                changes.Add(new SchemaChange(after.Nullable ? "null-allowed" : "null-no-longer-allowed", subject, null, null, !after.Nullable));
            }

            if (before.DefaultJson != after.DefaultJson)
            {
                changes.Add(new SchemaChange("default-changed", subject, before.DefaultJson, after.DefaultJson, false));
            }

            CompareConstraints(subject, before.Type.Constraints, after.Type.Constraints, changes);
        }
    }

    /// <summary>Each limit: narrowed breaks values that were valid, widened breaks nothing.</summary>
    private static void CompareConstraints(string subject, Constraints a, Constraints b, List<SchemaChange> changes)
    {
        Lower(subject, "minimum", a.Minimum, b.Minimum, changes);
        Lower(subject, "exclusiveMinimum", a.ExclusiveMinimum, b.ExclusiveMinimum, changes);
        Upper(subject, "maximum", a.Maximum, b.Maximum, changes);
        Upper(subject, "exclusiveMaximum", a.ExclusiveMaximum, b.ExclusiveMaximum, changes);
        Lower(subject, "minLength", a.MinLength, b.MinLength, changes);
        Upper(subject, "maxLength", a.MaxLength, b.MaxLength, changes);
        Lower(subject, "minItems", a.MinItems, b.MinItems, changes);
        Upper(subject, "maxItems", a.MaxItems, b.MaxItems, changes);
        if (a.MultipleOf != b.MultipleOf)
        {
            changes.Add(new SchemaChange("multipleOf-changed", subject, Num(a.MultipleOf), Num(b.MultipleOf), b.MultipleOf.HasValue));
        }

        if (a.Pattern != b.Pattern)
        {
            changes.Add(new SchemaChange("pattern-changed", subject, a.Pattern, b.Pattern, b.Pattern != null));
        }

        if (a.UniqueItems != b.UniqueItems)
        {
            changes.Add(new SchemaChange("uniqueItems-changed", subject, a.UniqueItems ? "true" : "false", b.UniqueItems ? "true" : "false", b.UniqueItems));
        }

        var removed = a.AllowedJson.Where(v => !b.AllowedJson.Contains(v)).ToList();
        var added = b.AllowedJson.Where(v => !a.AllowedJson.Contains(v)).ToList();
        if (b.AllowedJson.Count == 0 && a.AllowedJson.Count > 0)
        {
            changes.Add(new SchemaChange("allowed-values-lifted", subject, "[" + string.Join(",", a.AllowedJson) + "]", null, false));
        }
        else
        {
            changes.AddRange(removed.Select(v => new SchemaChange("enum-value-removed", subject, v, null, true)));
            changes.AddRange(added.Select(v => new SchemaChange("enum-value-added", subject, null, v, a.AllowedJson.Count == 0)));
        }
    }

    private static void Lower(string subject, string keyword, double? before, double? after, List<SchemaChange> changes)
    {
        if (before == after)
        {
            return;
        }

        bool narrowed = after.HasValue && (!before.HasValue || after.Value > before.Value);
        changes.Add(new SchemaChange(narrowed ? "range-narrowed" : "range-widened", subject + " " + keyword, Num(before), Num(after), narrowed));
    }

    private static void Upper(string subject, string keyword, double? before, double? after, List<SchemaChange> changes)
    {
        if (before == after)
        {
            return;
        }

        bool narrowed = after.HasValue && (!before.HasValue || after.Value < before.Value);
        changes.Add(new SchemaChange(narrowed ? "range-narrowed" : "range-widened", subject + " " + keyword, Num(before), Num(after), narrowed));
    }

    private static void Lower(string subject, string keyword, int? before, int? after, List<SchemaChange> changes) => Lower(subject, keyword, (double?)before, after, changes);

    private static void Upper(string subject, string keyword, int? before, int? after, List<SchemaChange> changes) => Upper(subject, keyword, (double?)before, after, changes);

    private static string? Num(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string value) => "\"" + value + "\"";
}
