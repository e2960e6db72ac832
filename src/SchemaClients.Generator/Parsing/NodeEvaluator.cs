using System;
using System.Collections.Generic;
using System.Globalization;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Checks a JSON value from the schema file itself (a default) against validator nodes at build
    /// time, with the rules the emitted validators apply at run time.
    /// </summary>
    internal static class NodeEvaluator
    {
        private const int MaxDepth = 64;

        /// <summary>Returns the first rule the value breaks, or null when it is valid.</summary>
        public static string? Check(IReadOnlyList<SchemaNodeSpec?> nodes, int id, JsonNode value) => Check(nodes, id, value, 0);

        private static string? Check(IReadOnlyList<SchemaNodeSpec?> nodes, int id, JsonNode value, int depth)
        {
            if (id < 0 || id >= nodes.Count || depth > MaxDepth)
            {
                return null;
            }

            SchemaNodeSpec? node = nodes[id];
            if (node == null)
            {
                return null;
            }

            if (node.BooleanSchema == false)
            {
                return "no value is allowed";
            }

            if (node.Ref >= 0)
            {
                string? inner = Check(nodes, node.Ref, value, depth + 1);
                if (inner != null)
                {
                    return inner;
                }
            }

            if (node.TypeMask != 0 && (node.TypeMask & TypeBits(value)) == 0)
            {
                return "it is " + Describe(value) + ", the schema wants " + JsonTypes.Describe(node.TypeMask, " or ");
            }

            if (node.HasEnum && !Contains(node.EnumJson, value))
            {
                return "it is not one of " + string.Join(", ", node.EnumJson);
            }

            if (node.ConstJson != null && !Contains(new[] { node.ConstJson }, value))
            {
                return "it is not the constant " + node.ConstJson;
            }

            Constraints c = node.Constraints with { AllowedJson = EquatableArray<string>.Empty }; // enum/const were checked above
            RuleViolation? broken = value.IsNumber ? ConstraintRules.CheckNumber(c, value.NumberValue)
                : value.IsString ? ConstraintRules.CheckString(c, value.StringValue!)
                : value.Kind == JsonKind.Array ? ConstraintRules.CheckCount(c, value.Items.Count)
                : null;
            if (broken != null)
            {
                return broken.Message;
            }

            if (value.Kind == JsonKind.Array)
            {
                if (node.Items >= 0)
                {
                    foreach (JsonNode item in value.Items)
                    {
                        string? problem = Check(nodes, node.Items, item, depth + 1);
                        if (problem != null)
                        {
                            return "an item: " + problem;
                        }
                    }
                }
            }

            if (value.IsObject)
            {
                foreach (string name in node.Required)
                {
                    if (value.Get(name) == null)
                    {
                        return "the required property '" + name + "' is missing";
                    }
                }

                foreach (NodeProperty property in node.Properties)
                {
                    JsonNode? member = value.Get(property.Name);
                    string? problem = member != null ? Check(nodes, property.Node, member, depth + 1) : null;
                    if (problem != null)
                    {
                        return "property '" + property.Name + "': " + problem;
                    }
                }
            }

            foreach (int part in node.AllOf)
            {
                string? problem = Check(nodes, part, value, depth + 1);
                if (problem != null)
                {
                    return problem;
                }
            }

            if (node.AnyOf.Count > 0)
            {
                var reasons = new List<string>();
                foreach (int part in node.AnyOf)
                {
                    string? problem = Check(nodes, part, value, depth + 1);
                    if (problem == null)
                    {
                        reasons = null;
                        break;
                    }

                    reasons.Add(problem);
                }

                if (reasons != null)
                {
                    return "it matches none of the anyOf schemas (" + string.Join("; ", reasons) + ")";
                }
            }

            if (node.OneOf.Count > 0)
            {
                int matches = 0;
                foreach (int part in node.OneOf)
                {
                    matches += Check(nodes, part, value, depth + 1) == null ? 1 : 0;
                }

                if (matches != 1)
                {
                    return "it matches " + matches.ToString(CultureInfo.InvariantCulture) + " of the oneOf schemas instead of exactly one";
                }
            }

            if (node.Not >= 0 && Check(nodes, node.Not, value, depth + 1) == null)
            {
                return "it matches the schema under 'not'";
            }

            return null;
        }

        private static bool Contains(IEnumerable<string> candidates, JsonNode value)
        {
            foreach (string candidate in candidates)
            {
                JsonReadResult parsed = JsonReader.Read(candidate);
                if (parsed.Root != null && JsonEquals(parsed.Root, value))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool JsonEquals(JsonNode a, JsonNode b)
        {
            if (a.IsNumber && b.IsNumber)
            {
                return a.NumberValue == b.NumberValue;
            }

            if (a.Kind != b.Kind)
            {
                return false;
            }

            switch (a.Kind)
            {
                case JsonKind.String:
                    return a.StringValue == b.StringValue;
                case JsonKind.Array:
                    if (a.Items.Count != b.Items.Count)
                    {
                        return false;
                    }

                    for (int i = 0; i < a.Items.Count; i++)
                    {
                        if (!JsonEquals(a.Items[i], b.Items[i]))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonKind.Object:
                    if (a.Members.Count != b.Members.Count)
                    {
                        return false;
                    }

                    foreach (JsonMember member in a.Members)
                    {
                        JsonNode? other = b.Get(member.Name);
                        if (other == null || !JsonEquals(member.Value, other))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }

        private static int TypeBits(JsonNode value)
        {
            switch (value.Kind)
            {
                case JsonKind.Null: return JsonTypes.Null;
                case JsonKind.True:
                case JsonKind.False: return JsonTypes.Boolean;
                case JsonKind.String: return JsonTypes.String;
                case JsonKind.Array: return JsonTypes.Array;
                case JsonKind.Object: return JsonTypes.Object;
                default:
                    return value.NumberValue == Math.Floor(value.NumberValue) && !double.IsInfinity(value.NumberValue)
                        ? JsonTypes.Number | JsonTypes.Integer
                        : JsonTypes.Number;
            }
        }

        private static string Describe(JsonNode value)
        {
            switch (value.Kind)
            {
                case JsonKind.Null: return "null";
                case JsonKind.True:
                case JsonKind.False: return "a boolean";
                case JsonKind.String: return "a string";
                case JsonKind.Array: return "an array";
                case JsonKind.Object: return "an object";
                default: return "a number";
            }
        }

        public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
