using System;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>The JSON Schema draft a document (or a schema resource in it) is written in: keywords differ by draft.</summary>
    internal enum SchemaDialect
    {
        /// <summary>Draft 4 (and OpenAPI 3.0's schema object): <c>id</c>, boolean exclusive bounds, <c>dependencies</c>.</summary>
        Draft4 = 4,

        /// <summary>Draft 6: <c>$id</c>, boolean schemas, <c>contains</c>, <c>propertyNames</c>, <c>const</c>.</summary>
        Draft6 = 6,

        /// <summary>Draft 7: adds <c>if</c>/<c>then</c>/<c>else</c>.</summary>
        Draft7 = 7,

        /// <summary>2019-09: keywords beside <c>$ref</c> apply; <c>$anchor</c>, <c>$recursiveRef</c>, unevaluated*, dependent*, min/maxContains.</summary>
        Draft2019 = 2019,

        /// <summary>2020-12 (and OpenAPI 3.1): <c>prefixItems</c>, <c>items</c> after it, <c>$dynamicRef</c>.</summary>
        Draft2020 = 2020,
    }

    /// <summary>Reads a dialect from <c>$schema</c>.</summary>
    internal static class SchemaDialects
    {
        /// <summary>The dialect <paramref name="schemaUri"/> names, or <paramref name="fallback"/> when it names none known.</summary>
        public static SchemaDialect From(string? schemaUri, SchemaDialect fallback)
        {
            if (schemaUri == null || schemaUri.IndexOf("json-schema.org/", StringComparison.OrdinalIgnoreCase) < 0)
            {
                return fallback; // not a draft's own meta-schema (a custom one is looked up among the checked-in files)
            }

            if (schemaUri.IndexOf("draft-03", StringComparison.Ordinal) >= 0 || schemaUri.IndexOf("draft-04", StringComparison.Ordinal) >= 0)
            {
                return SchemaDialect.Draft4;
            }

            if (schemaUri.IndexOf("draft-06", StringComparison.Ordinal) >= 0)
            {
                return SchemaDialect.Draft6;
            }

            if (schemaUri.IndexOf("draft-07", StringComparison.Ordinal) >= 0)
            {
                return SchemaDialect.Draft7;
            }

            if (schemaUri.IndexOf("2019-09", StringComparison.Ordinal) >= 0)
            {
                return SchemaDialect.Draft2019;
            }

            if (schemaUri.IndexOf("2020-12", StringComparison.Ordinal) >= 0)
            {
                return SchemaDialect.Draft2020;
            }

            return fallback;
        }

        /// <summary>Up to draft 7 a <c>$ref</c> replaces its whole schema: keywords beside it are ignored.</summary>
        public static bool RefOverridesSiblings(this SchemaDialect dialect) => dialect <= SchemaDialect.Draft7;
    }
}
