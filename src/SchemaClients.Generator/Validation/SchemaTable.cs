using System.Collections.Generic;
using System.Globalization;
using System.Text;
using SchemaClients.Generator.Model;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Generator.Validation
{
    /// <summary>
    /// Writes a document's validator nodes as the table the runtime loads (<c>SchemaGraph.Load</c>) and the generator
    /// itself reads back for build-time checks, so both validate with one model: a JSON array, one node per line, each
    /// <c>true</c>, <c>false</c> or an object of JSON Schema keywords whose subschemas are node indexes. Exclusive
    /// bounds are numbers (draft 4 booleans are already folded in), <c>pattern</c> keeps the schema's text and
    /// <c>regex</c> adds its .NET translation. Pure ASCII, so it can sit in a raw string literal unchanged.
    /// </summary>
    internal static class SchemaTable
    {
        public static string Write(EquatableArray<SchemaNodeSpec> nodes)
        {
            bool dynamic = false;
            int resources = 0;
            foreach (SchemaNodeSpec node in nodes)
            {
                dynamic |= node.Extras.DynamicRef >= 0;
                resources = System.Math.Max(resources, node.Extras.Resource + 1);
            }

            var text = new StringBuilder("[\n");
            for (int i = 0; i < nodes.Count; i++)
            {
                WriteNode(text, nodes[i], dynamic);
                text.Append(i + 1 < nodes.Count || dynamic ? ",\n" : "\n");
            }

            if (dynamic)
            {
                // Last: each resource's dynamic anchors, for $dynamicRef and $recursiveRef to search the dynamic scope.
                var maps = new List<string>[resources];
                foreach (SchemaNodeSpec node in nodes)
                {
                    if (node.Extras.DeclaredDynamicAnchor != null && !node.BooleanSchema.HasValue)
                    {
                        (maps[node.Extras.Resource] ??= new List<string>()).Add(ConstantValue.Quote(node.Extras.DeclaredDynamicAnchor) + ":" + Int(node.Id));
                    }
                }

                var entries = new List<string>();
                foreach (List<string>? map in maps)
                {
                    entries.Add("{" + (map == null ? string.Empty : string.Join(",", map)) + "}");
                }

                text.Append("{\"dynamicAnchors\":[").Append(string.Join(",", entries)).Append("]}\n");
            }

            return Ascii(text.Append(']').ToString());
        }

        private static void WriteNode(StringBuilder text, SchemaNodeSpec node, bool dynamic)
        {
            if (node.BooleanSchema.HasValue)
            {
                text.Append(node.BooleanSchema.Value ? "true" : "false");
                return;
            }

            var members = new List<string>();
            if (node.Ref >= 0)
            {
                members.Add("\"$ref\":" + Int(node.Ref));
            }

            if (node.TypeMask != 0)
            {
                members.Add("\"type\":" + Types(node.TypeMask));
            }

            if (node.HasEnum)
            {
                members.Add("\"enum\":[" + string.Join(",", node.EnumJson) + "]");
            }

            if (node.ConstJson != null)
            {
                members.Add("\"const\":" + node.ConstJson);
            }

            Constraints c = node.Constraints;
            Number(members, "minimum", c.Minimum);
            Number(members, "maximum", c.Maximum);
            Number(members, "exclusiveMinimum", c.ExclusiveMinimum);
            Number(members, "exclusiveMaximum", c.ExclusiveMaximum);
            Number(members, "multipleOf", c.MultipleOf);
            Count(members, "minLength", c.MinLength);
            Count(members, "maxLength", c.MaxLength);
            if (c.Pattern != null)
            {
                members.Add("\"pattern\":" + ConstantValue.Quote(c.Pattern));
                members.Add("\"regex\":" + ConstantValue.Quote(EcmaRegex.ToDotNet(c.Pattern)));
            }

            Count(members, "minItems", c.MinItems);
            Count(members, "maxItems", c.MaxItems);
            if (c.UniqueItems)
            {
                members.Add("\"uniqueItems\":true");
            }

            if (node.Items >= 0)
            {
                members.Add("\"items\":" + Int(node.Items));
            }

            if (node.Required.Count > 0)
            {
                members.Add("\"required\":" + Strings(node.Required));
            }

            NodeMap(members, "properties", node.Properties);

            if (node.AdditionalProperties != -1)
            {
                members.Add("\"additionalProperties\":" + (node.AdditionalProperties == -2 ? "false" : Int(node.AdditionalProperties)));
            }

            List(members, "allOf", node.AllOf);
            List(members, "anyOf", node.AnyOf);
            List(members, "oneOf", node.OneOf);
            if (node.Not >= 0)
            {
                members.Add("\"not\":" + Int(node.Not));
            }

            NodeExtras x = node.Extras;
            if (x.HasKeywords)
            {
                WriteExtras(members, x);
            }

            if (dynamic && x.Resource != 0)
            {
                members.Add("\"resource\":" + Int(x.Resource));
            }

            text.Append('{').Append(string.Join(",", members)).Append('}');
        }

        private static void WriteExtras(List<string> members, NodeExtras x)
        {
            if (x.PatternProperties.Count > 0)
            {
                var patterns = new List<string>();
                foreach (NodeProperty pattern in x.PatternProperties)
                {
                    patterns.Add("[" + ConstantValue.Quote(pattern.Name) + "," + ConstantValue.Quote(EcmaRegex.ToDotNet(pattern.Name)) + "," + Int(pattern.Node) + "]");
                }

                members.Add("\"patternProperties\":[" + string.Join(",", patterns) + "]");
            }

            Index(members, "propertyNames", x.PropertyNames);
            Count(members, "minProperties", x.MinProperties);
            Count(members, "maxProperties", x.MaxProperties);
            if (x.DependentRequired.Count > 0)
            {
                var entries = new List<string>();
                foreach (NodeDependency dependency in x.DependentRequired)
                {
                    entries.Add(ConstantValue.Quote(dependency.Name) + ":" + Strings(dependency.Required));
                }

                members.Add("\"dependentRequired\":{" + string.Join(",", entries) + "}");
            }

            NodeMap(members, "dependentSchemas", x.DependentSchemas);

            List(members, "prefixItems", x.PrefixItems);
            Index(members, "contains", x.Contains);
            if (x.ContainsEvaluates)
            {
                members.Add("\"containsEvaluates\":true");
            }

            Count(members, "minContains", x.MinContains);
            Count(members, "maxContains", x.MaxContains);
            Index(members, "if", x.If);
            Index(members, "then", x.Then);
            Index(members, "else", x.Else);
            Index(members, "unevaluatedProperties", x.UnevaluatedProperties);
            Index(members, "unevaluatedItems", x.UnevaluatedItems);
            if (x.DynamicRef >= 0)
            {
                members.Add("\"$dynamicRef\":[" + Int(x.DynamicRef) + "," + (x.DynamicRefAnchor == null ? "null" : ConstantValue.Quote(x.DynamicRefAnchor)) + "]");
            }
        }

        /// <summary>A JSON array of strings.</summary>
        private static string Strings(EquatableArray<string> names)
        {
            var quoted = new List<string>();
            foreach (string name in names)
            {
                quoted.Add(ConstantValue.Quote(name));
            }

            return "[" + string.Join(",", quoted) + "]";
        }

        /// <summary>A keyword whose value maps names to node indexes (properties, dependentSchemas); nothing when empty.</summary>
        private static void NodeMap(List<string> members, string keyword, EquatableArray<NodeProperty> map)
        {
            if (map.Count == 0)
            {
                return;
            }

            var entries = new List<string>();
            foreach (NodeProperty entry in map)
            {
                entries.Add(ConstantValue.Quote(entry.Name) + ":" + Int(entry.Node));
            }

            members.Add("\"" + keyword + "\":{" + string.Join(",", entries) + "}");
        }

        private static void Index(List<string> members, string keyword, int node)
        {
            if (node >= 0)
            {
                members.Add("\"" + keyword + "\":" + Int(node));
            }
        }

        private static string Types(int mask)
        {
            var names = new List<string>();
            if ((mask & TypeMask.Null) != 0) names.Add("\"null\"");
            if ((mask & TypeMask.Boolean) != 0) names.Add("\"boolean\"");
            if ((mask & TypeMask.Object) != 0) names.Add("\"object\"");
            if ((mask & TypeMask.Array) != 0) names.Add("\"array\"");
            if ((mask & TypeMask.Number) != 0) names.Add("\"number\"");
            else if ((mask & TypeMask.Integer) != 0) names.Add("\"integer\"");
            if ((mask & TypeMask.String) != 0) names.Add("\"string\"");
            return names.Count == 1 ? names[0] : "[" + string.Join(",", names) + "]";
        }

        private static void Number(List<string> members, string keyword, double? value)
        {
            if (value.HasValue)
            {
                // Finite: limits past double's range (1e400) are dropped or clamped where they are read (NodeGraphBuilder.ReadConstraints).
                members.Add("\"" + keyword + "\":" + value.Value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        private static void Count(List<string> members, string keyword, int? value)
        {
            if (value.HasValue)
            {
                members.Add("\"" + keyword + "\":" + Int(value.Value));
            }
        }

        private static void List(List<string> members, string keyword, EquatableArray<int> nodes)
        {
            if (nodes.Count == 0)
            {
                return;
            }

            var ids = new List<string>();
            foreach (int id in nodes)
            {
                ids.Add(Int(id));
            }

            members.Add("\"" + keyword + "\":[" + string.Join(",", ids) + "]");
        }

        /// <summary>Non-ASCII characters can only be inside JSON strings, so escaping them anywhere keeps the JSON equal.</summary>
        private static string Ascii(string json)
        {
            var text = new StringBuilder(json.Length);
            foreach (char c in json)
            {
                if (c > '~')
                {
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(c);
                }
            }

            return text.ToString();
        }

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
