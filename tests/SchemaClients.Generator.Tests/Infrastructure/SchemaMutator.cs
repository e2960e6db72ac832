using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace SchemaClients.Generator.Tests.Infrastructure;

/// <summary>
/// A deterministic source of schema documents that stress the generator: byte-level damage, structural mutations
/// (odd values, keywords, references, wrapped and repeated branches, awkward names) of real documents, and random
/// schemas. The same seed and index always give the same document, so a failure found at any count reproduces.
/// </summary>
internal sealed class SchemaMutator
{
    private const int MaxBytes = 200_000;

    /// <summary>Values that broke, or could break, some part of the generator: range ends, odd characters, names C# reserves.</summary>
    private static readonly string[] OddValues =
    {
        "1e400", "-1e400", "1e-30", "0", "-0", "0.1", "9007199254740993", "-9223372036854775809", "18446744073709551616", "1.5",
        "\"\"", "\"\\u2028\"", "\"a\\u0085b\"", "\"\\uffff\"", "\"\\u2029x\"", "\"*/ <x> &amp; \\\"\"", "\"Type\"", "\"Equals\"",
        "\"ToString\"", "\"GetHashCode\"", "\"1abc\"", "\"class\"", "\"SchemaClientsJsonContext\"", "\"16:9\"", "\"\"", "\"a b\"",
        "true", "false", "null", "[]", "{}", "[1, \"1\", null]", "{\"a\": 1}",
    };

    private static readonly string[] OddNames =
    {
        "Type", "Equals", "ToString", "GetHashCode", "1st", "class", "_", "a b", "a\u2028b", "x\u0085", "\uffff", "SchemaClientsJsonContext",
        "Value", "Branch", "IsValid", "Validate", "ValidateJson", "ValidateInto", "AdditionalProperties", "prompt", "PROMPT", "$ref",
    };

    private static readonly string[] Patterns =
    {
        "^(a+)+$", "[", "^🐲*$", "\\\\p{L}+", "^[0-9]+:[0-9]+$", "$", "^\\\\s$", "(?<n>a)\\\\k<n>", "\\\\cA", "a{2,1}", "^.*$",
    };

    private static readonly string[] Types = { "string", "integer", "number", "boolean", "object", "array", "null", "file", "any" };

    private static readonly string[] Keywords =
    {
        "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "pattern", "minItems", "maxItems", "uniqueItems", "items", "properties", "required", "additionalProperties", "allOf", "anyOf",
        "oneOf", "not", "$ref", "default", "nullable", "description", "title", "format", "examples",
        // The keywords of 2019-09/2020-12 and of the older drafts' variants, resolution and dynamic scope included.
        "patternProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
        "dependencies", "prefixItems", "additionalItems", "contains", "minContains", "maxContains", "if", "then", "else",
        "unevaluatedProperties", "unevaluatedItems", "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
        "$recursiveAnchor", "$schema",
    };

    private readonly int _seed;
    private readonly IReadOnlyList<(string Name, byte[] Bytes)> _seeds;

    public SchemaMutator(int seed, IReadOnlyList<(string Name, byte[] Bytes)> seeds)
    {
        _seed = seed;
        _seeds = seeds;
    }

    /// <summary>The documents mutations start from: the repository's schemas and, when ../shared is there, the public corpus.</summary>
    public static List<(string Name, byte[] Bytes)> SeedDocuments()
    {
        var files = Directory.GetFiles(TestPaths.Schemas, "*.json", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != "manifest.json").ToList();
        if (TestPaths.SharedAvailable)
        {
            files.AddRange(GeneratorHarness.CorpusFiles());
        }

        return files.OrderBy(p => p, StringComparer.Ordinal).Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
    }

    /// <summary>Document number <paramref name="index"/>: what was done to which seed, the provider folder and the bytes.</summary>
    public (string Description, string Provider, byte[] Bytes) Next(int index)
    {
        var random = new Random(unchecked(_seed * 7919 + index));
        string provider = random.Next(10) switch { 0 => "fal", 1 => "oxen", 2 => "apiframe", 3 => "SchemaClientsJsonContext", _ => "fuzz" };
        int kind = random.Next(10);
        if (kind == 0)
        {
            (string name, byte[] bytes) = _seeds[random.Next(_seeds.Count)];
            return ("bytes of " + name, provider, DamageBytes(random, bytes));
        }

        if (kind <= 2)
        {
            return ("random schema", provider, Encoding.UTF8.GetBytes(RandomSchema(random, 0).ToJsonString()));
        }

        (string seedName, byte[] seedBytes) = _seeds[random.Next(_seeds.Count)];
        JsonNode root = JsonNode.Parse(seedBytes)!;
        int steps = 1 + random.Next(4);
        var done = new List<string>();
        for (int i = 0; i < steps; i++)
        {
            done.Add(Mutate(random, ref root));
        }

        byte[] result = Encoding.UTF8.GetBytes(root.ToJsonString());
        return (seedName + ": " + string.Join("; ", done), provider, result.Length > MaxBytes ? seedBytes : result);
    }

    private static byte[] DamageBytes(Random random, byte[] bytes)
    {
        var list = new List<byte>(bytes);
        int steps = 1 + random.Next(3);
        for (int i = 0; i < steps && list.Count > 0; i++)
        {
            int at = random.Next(list.Count);
            switch (random.Next(4))
            {
                case 0: list[at] = (byte)random.Next(256); break;
                case 1: list.RemoveRange(at, Math.Min(list.Count - at, 1 + random.Next(16))); break;
                case 2: list.InsertRange(at, list.GetRange(at, Math.Min(list.Count - at, 1 + random.Next(32)))); break;
                default: list.InsertRange(at, Encoding.UTF8.GetBytes(new[] { "\"", "{", "]", "\u2028", "1e400", "\\u0000", "\ufeff" }[random.Next(7)])); break;
            }
        }

        return list.ToArray();
    }

    private static string Mutate(Random random, ref JsonNode root)
    {
        var objects = new List<JsonObject>();
        Collect(root, objects, 0);
        if (objects.Count == 0)
        {
            root = RandomSchema(random, 0);
            return "replaced by a random schema";
        }

        JsonObject target = objects[random.Next(objects.Count)];
        string pointer = target.GetPath();
        switch (random.Next(7))
        {
            case 0:
            {
                string keyword = Keywords[random.Next(Keywords.Length)];
                target[keyword] = KeywordValue(random, keyword, objects);
                return "set " + keyword + " at " + pointer;
            }

            case 1:
                if (target.Count > 0)
                {
                    string name = target.ElementAt(random.Next(target.Count)).Key;
                    target.Remove(name);
                    return "removed " + name + " at " + pointer;
                }

                return "nothing";
            case 2:
                if (target.Count > 0)
                {
                    string name = target.ElementAt(random.Next(target.Count)).Key;
                    target[name] = JsonNode.Parse(OddValues[random.Next(OddValues.Length)]);
                    return "odd value for " + name + " at " + pointer;
                }

                return "nothing";
            case 3:
            {
                // Repeated branches: oneOf [X, X] nested a few times, the shape that made defaults exponential.
                string keyword = new[] { "oneOf", "anyOf", "allOf" }[random.Next(3)];
                JsonObject copy = (JsonObject)target.DeepClone();
                int depth = 1 + random.Next(3);
                JsonNode wrapped = copy;
                for (int i = 0; i < depth; i++)
                {
                    wrapped = new JsonObject { [keyword] = new JsonArray(wrapped, wrapped.DeepClone()) };
                }

                target.Clear();
                target[keyword] = new JsonArray(wrapped);
                return "wrapped in " + keyword + " x" + depth + " at " + pointer;
            }

            case 4:
            {
                var properties = target["properties"] as JsonObject ?? new JsonObject();
                target["properties"] = properties;
                string name = OddNames[random.Next(OddNames.Length)];
                properties[name] = RandomSchema(random, 2);
                return "property '" + name + "' at " + pointer;
            }

            case 5:
            {
                target["$ref"] = RandomRef(random, objects);
                return "$ref at " + pointer;
            }

            default:
            {
                // A chain of definitions, each a $ref to the next: the shape that overflowed the stack.
                var defs = root is JsonObject top ? (top["$defs"] as JsonObject ?? new JsonObject()) : new JsonObject();
                if (root is JsonObject rootObject)
                {
                    rootObject["$defs"] = defs;
                }

                int length = random.Next(2) == 0 ? 5 + random.Next(20) : 150 + random.Next(900);
                string prefix = "C" + random.Next(1000).ToString(CultureInfo.InvariantCulture) + "_";
                for (int i = 0; i < length; i++)
                {
                    defs[prefix + i.ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["$ref"] = "#/$defs/" + prefix + (i + 1).ToString(CultureInfo.InvariantCulture) };
                }

                defs[prefix + length.ToString(CultureInfo.InvariantCulture)] = RandomSchema(random, 3);
                target["$ref"] = "#/$defs/" + prefix + "0";
                return "$ref chain of " + length + " at " + pointer;
            }
        }
    }

    private static void Collect(JsonNode? node, List<JsonObject> objects, int depth)
    {
        if (depth > 40)
        {
            return;
        }

        if (node is JsonObject o)
        {
            objects.Add(o);
            foreach (KeyValuePair<string, JsonNode?> member in o)
            {
                Collect(member.Value, objects, depth + 1);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (JsonNode? item in a)
            {
                Collect(item, objects, depth + 1);
            }
        }
    }

    private static string RandomRef(Random random, List<JsonObject> objects)
    {
        switch (random.Next(4))
        {
            case 0: return "#";
            case 1: return "#/does/not/exist";
            case 2: return "other.json#/x";
            default:
                // System.Text.Json paths look like $.a.b['c'] and $.a[0]: turned into a JSON pointer.
                string path = objects[random.Next(objects.Count)].GetPath();
                var pointer = new StringBuilder("#");
                foreach (string part in path.TrimStart('$').Replace("['", ".", StringComparison.Ordinal).Replace("']", string.Empty, StringComparison.Ordinal).Replace("[", ".", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
                {
                    pointer.Append('/').Append(part.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
                }

                return pointer.ToString();
        }
    }

    private static JsonNode? KeywordValue(Random random, string keyword, List<JsonObject> objects)
    {
        switch (keyword)
        {
            case "type":
                return random.Next(3) == 0
                    ? new JsonArray(Types[random.Next(Types.Length)], Types[random.Next(Types.Length)])
                    : JsonValue.Create(Types[random.Next(Types.Length)]);
            case "enum":
            {
                var values = new JsonArray();
                int n = random.Next(5);
                for (int i = 0; i < n; i++)
                {
                    values.Add(JsonNode.Parse(OddValues[random.Next(OddValues.Length)]));
                }

                return values;
            }

            case "minimum": case "maximum": case "exclusiveMinimum": case "exclusiveMaximum": case "multipleOf":
            case "minLength": case "maxLength": case "minItems": case "maxItems": case "minProperties": case "maxProperties":
            case "minContains": case "maxContains":
                return JsonNode.Parse(new[] { "1e400", "-1e400", "1e-30", "0", "-1", "0.1", "3", "9007199254740993", "1e308", "2147483648" }[random.Next(10)]);
            case "pattern":
                return JsonValue.Create(Patterns[random.Next(Patterns.Length)]);
            case "required":
                return new JsonArray(OddNames[random.Next(OddNames.Length)], "prompt");
            case "$ref":
                return JsonValue.Create(RandomRef(random, objects));
            case "allOf": case "anyOf": case "oneOf":
                return new JsonArray(RandomSchema(random, 3), new JsonObject { ["$ref"] = RandomRef(random, objects) });
            case "items": case "not": case "additionalProperties": case "propertyNames": case "additionalItems": case "contains":
            case "if": case "then": case "else": case "unevaluatedProperties": case "unevaluatedItems":
                return random.Next(4) == 0 ? JsonValue.Create(random.Next(2) == 0) : RandomSchema(random, 3);
            case "patternProperties":
                return new JsonObject { [Patterns[random.Next(Patterns.Length)]] = RandomSchema(random, 3) };
            case "dependentSchemas":
                return new JsonObject { [OddNames[random.Next(OddNames.Length)]] = random.Next(3) == 0 ? new JsonObject { ["$ref"] = RandomRef(random, objects) } : RandomSchema(random, 3) };
            case "dependentRequired":
                return new JsonObject { [OddNames[random.Next(OddNames.Length)]] = new JsonArray("prompt", OddNames[random.Next(OddNames.Length)]) };
            case "dependencies":
                return new JsonObject { ["prompt"] = random.Next(2) == 0 ? new JsonArray("seed") : RandomSchema(random, 3) };
            case "prefixItems":
                return new JsonArray(RandomSchema(random, 3), new JsonObject { ["$ref"] = RandomRef(random, objects) });
            case "$id":
                return JsonValue.Create(new[] { "#anchor", "http://example.test/a.json", "b.json", "urn:uuid:deadbeef-1234-0000-0000-4321feebdaed", "/x/../y", "%%", "#/", "" }[random.Next(8)]);
            case "$anchor": case "$dynamicAnchor":
                return JsonValue.Create(new[] { "meta", "node", "", "a b" }[random.Next(4)]);
            case "$dynamicRef": case "$recursiveRef":
                return JsonValue.Create(new[] { "#meta", "#", "#node", "http://example.test/a.json#meta", RandomRef(random, objects) }[random.Next(5)]);
            case "$recursiveAnchor":
                return JsonValue.Create(random.Next(2) == 0);
            case "$schema":
                return JsonValue.Create(new[] { "https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-07/schema#", "https://example.test/meta", "" }[random.Next(5)]);
            case "properties":
                return new JsonObject { [OddNames[random.Next(OddNames.Length)]] = RandomSchema(random, 3) };
            case "description": case "title":
                return JsonValue.Create("text \u2028 with \u0085 odd \uffff characters */ <b> & \\ \" end");
            default:
                return JsonNode.Parse(OddValues[random.Next(OddValues.Length)]);
        }
    }

    private static JsonObject RandomSchema(Random random, int depth)
    {
        var schema = new JsonObject();
        int count = 1 + random.Next(depth >= 4 ? 2 : 5);
        for (int i = 0; i < count; i++)
        {
            string keyword = Keywords[random.Next(Keywords.Length)];
            if (depth >= 4 && keyword is "properties" or "items" or "allOf" or "anyOf" or "oneOf" or "not" or "additionalProperties"
                or "if" or "then" or "else" or "contains" or "unevaluatedProperties" or "patternProperties" or "dependentSchemas" or "prefixItems"
                or "propertyNames" or "additionalItems" or "unevaluatedItems" or "dependencies")
            {
                keyword = "type";
            }

            schema[keyword] = keyword switch
            {
                "properties" => new JsonObject { [OddNames[random.Next(OddNames.Length)]] = RandomSchema(random, depth + 1), ["p" + i.ToString(CultureInfo.InvariantCulture)] = RandomSchema(random, depth + 1) },
                "items" or "not" or "additionalProperties" or "if" or "then" or "else" or "contains" or "unevaluatedProperties" => RandomSchema(random, depth + 1),
                "allOf" or "anyOf" or "oneOf" => new JsonArray(RandomSchema(random, depth + 1), RandomSchema(random, depth + 1)),
                "$ref" => JsonValue.Create(random.Next(2) == 0 ? "#" : "#/properties"),
                _ => KeywordValue(random, keyword, new List<JsonObject> { schema }),
            };
        }

        return schema;
    }
}
