using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SchemaClients.Generator.Diagnostics
{
    /// <summary>Every diagnostic the generator reports. IDs are never reused; see AnalyzerReleases.*.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Root, string Id), DiagnosticDescriptor> Linked = new();
        private const string Reading = "SchemaClients.Reading";
        private const string Schema = "SchemaClients.Schema";
        private const string Naming = "SchemaClients.Naming";
        private const string Generator = "SchemaClients.Generator";

        public static readonly DiagnosticDescriptor MalformedJson = Create(
            "SCG0001", "Schema file is not valid JSON", "'{0}' is not valid JSON: {1}", Reading, DiagnosticSeverity.Error,
            "The schema file could not be read as JSON (RFC 8259). Nothing is generated for it; the other schema files still generate.");

        public static readonly DiagnosticDescriptor UnrecognizedDocument = Create(
            "SCG0002", "Schema file is not a recognized document", "'{0}' is not an OpenAPI 3.0/3.1 document, a provider model object or a JSON Schema: {1}", Reading, DiagnosticSeverity.Warning,
            "The generator reads OpenAPI 3.0 and 3.1 documents, provider model objects that embed a JSON Schema (Oxen json_request_schema, Replicate latest_version.openapi_schema) and plain JSON Schema documents.");

        public static readonly DiagnosticDescriptor UnsupportedVersion = Create(
            "SCG0003", "Unsupported document version", "'{0}' declares version '{1}', which is not supported; supported: {2}", Reading, DiagnosticSeverity.Error,
            "Only OpenAPI 3.0.x and 3.1.x documents are read. Convert Swagger 2.0 documents to OpenAPI 3 first.");

        public static readonly DiagnosticDescriptor UnsupportedType = Create(
            "SCG0004", "Unsupported schema type", "Schema type '{0}' at '{1}' is not a JSON Schema type; the value is typed as JsonElement", Schema, DiagnosticSeverity.Warning,
            "JSON Schema types are string, number, integer, boolean, object, array and null. Other values are not validated and map to System.Text.Json.JsonElement.");

        public static readonly DiagnosticDescriptor UnresolvedReference = Create(
            "SCG0005", "Unresolvable $ref", "$ref '{0}' at '{1}' cannot be resolved: {2}; the value is typed as JsonElement", Schema, DiagnosticSeverity.Error,
            "References resolve against the base URI $id sets, to a JSON pointer or an anchor in this document, or to another checked-in schema file: relative to this file, or by the SchemaClientsUri an AdditionalFiles item gives it. They never go to the network.");

        public static readonly DiagnosticDescriptor CyclicReference = Create(
            "SCG0006", "Cyclic $ref", "$ref '{0}' at '{1}' refers back to itself through {2} without an object in between; the value is typed as JsonElement", Schema, DiagnosticSeverity.Error,
            "A chain of $ref, allOf or anyOf that returns to its start without passing through an object property can never describe a value.");

        public static readonly DiagnosticDescriptor PropertyNameCollision = Create(
            "SCG0007", "Two properties map to the same C# name", "Properties '{0}' and '{1}' of '{2}' both map to the C# name '{3}'; the second is named '{4}'", Naming, DiagnosticSeverity.Warning,
            "JSON names are turned into PascalCase C# names. When two differ only in case or punctuation, the later one gets a numeric suffix; its JSON name is unchanged.");

        public static readonly DiagnosticDescriptor NameAdjusted = Create(
            "SCG0008", "Name adjusted to a valid C# identifier", "'{0}' is not a valid C# name as it stands ({1}); it is generated as '{2}'", Naming, DiagnosticSeverity.Info,
            "Names that start with a digit, are C# keywords, are empty once punctuation is removed, or repeat the name of their type are adjusted. The JSON name on the wire is unchanged.");

        public static readonly DiagnosticDescriptor EnumValueCollision = Create(
            "SCG0009", "Enum values map to the same C# name", "Enum values '{0}' and '{1}' of '{2}' both map to the C# name '{3}'; the second is named '{4}'", Naming, DiagnosticSeverity.Warning,
            "Enum wire values are turned into PascalCase member names. When two collide, the later one gets a numeric suffix; the wire value is unchanged.");

        public static readonly DiagnosticDescriptor DefaultOutsideLimits = Create(
            "SCG0010", "Default value breaks its own schema", "The default {0} of '{1}' breaks its own schema: {2}", Schema, DiagnosticSeverity.Warning,
            "The provider's document gives a default that its own limits reject. The default is documented as given and is never sent by the client.");

        public static readonly DiagnosticDescriptor UnionFallback = Create(
            "SCG0011", "Union typed as JsonElement", "The {0} at '{1}' has branches that cannot be told apart by their JSON kind ({2}); the value is typed as JsonElement and validated as JSON", Schema, DiagnosticSeverity.Info,
            "anyOf/oneOf becomes a typed union when every branch has its own JSON kind (string, number, boolean, object, array). Otherwise the value is a JsonElement, still checked by the JSON validator.");

        public static readonly DiagnosticDescriptor InvalidPattern = Create(
            "SCG0012", "Pattern is not a valid regular expression", "The pattern '{0}' at '{1}' is not a valid regular expression ({2}); it is not checked", Schema, DiagnosticSeverity.Warning,
            "Patterns are compiled with .NET regular expressions. A pattern .NET cannot compile is reported and skipped.");

        public static readonly DiagnosticDescriptor UnsupportedKeyword = Create(
            "SCG0013", "Validation keyword not supported", "The keyword '{0}' at '{1}' is not supported; values are not checked against it", Schema, DiagnosticSeverity.Info,
            "Every keyword of JSON Schema drafts 4, 6, 7, 2019-09 and 2020-12 is checked, each as its draft defines it (format is an annotation, as the drafts say by default). What is left: a $schema that names a meta-schema which is neither one of those drafts nor a checked-in file, whose vocabularies therefore cannot be read; the schema is read as 2020-12 with every vocabulary.");

        public static readonly DiagnosticDescriptor InternalError = Create(
            "SCG0014", "Schema file could not be processed", "'{0}' could not be processed: {1}", Generator, DiagnosticSeverity.Error,
            "An unexpected failure while processing one schema file. The other schema files still generate. Please report it with the file.");

        public static readonly DiagnosticDescriptor DuplicateModel = Create(
            "SCG0015", "Two schema files generate the same namespace", "'{0}' and '{1}' both generate namespace '{2}'; rename or remove one of them", Schema, DiagnosticSeverity.Error,
            "Each provider and model pair must come from one schema file. Remove or rename one of the files.");

        public static readonly DiagnosticDescriptor NoBuildProps = Create(
            "SCG0018", "No schema files and no build props", "SchemaClients.Generator received no schema files and its build props were not imported, so nothing is generated; reference the SchemaClients.Generator package, or import its build/SchemaClients.Generator.props when referencing it as a project", Generator, DiagnosticSeverity.Warning,
            "The package's props pass every JSON file under schemas/ to the generator. A project reference with OutputItemType=\"Analyzer\" loads the generator without them, so it would see no schema and generate nothing.");

        public static readonly DiagnosticDescriptor NestingTooDeep = Create(
            "SCG0016", "Schemas nested too deeply", "{0} at '{1}' is reached through more than {2} nested schemas and $ref hops; it is typed as JsonElement and not validated", Schema, DiagnosticSeverity.Error,
            "The generator follows nested schemas and $ref chains to a fixed depth so that no document can exhaust the compiler's stack. The diagnostic points at the reference or schema where the depth ran out.");

        public static readonly DiagnosticDescriptor ValidationTooCostly = Create(
            "SCG0017", "Schema too costly to validate", "Checking one value against '{0}' would apply {1} schemas to it through $ref, allOf, anyOf, oneOf and not (the limit is {2}); its branches are not validated", Schema, DiagnosticSeverity.Error,
            "Branches that share subschemas multiply: oneOf [A, A] where A is oneOf [B, B] and so on applies 2^n schemas to every value. Past the limit the validator would take exponential time, so the branches of that schema are dropped from validation and reported.");

        // Values in user code (the analyzer). The message names the property, the value, the rule and where it comes from:
        // {0} property, {1} value, {2} rule, {3} limit, {4} provider, {5} model, {6} schema file and line.
        private const string Values = "SchemaClients.Values";
        private const string ValueMessage = "{0} = {1} breaks {2} {3} of {4} model '{5}' ({6})";

        public static readonly DiagnosticDescriptor ValueOutOfRange = Create(
            "SCG1001", "Value is outside the range the schema allows", ValueMessage, Values, DiagnosticSeverity.Error,
            "A constant given to a property of a generated request type is below its minimum or above its maximum (inclusive or exclusive). The provider would reject the request.");

        public static readonly DiagnosticDescriptor ValueNotMultiple = Create(
            "SCG1002", "Value is not a multiple the schema requires", ValueMessage, Values, DiagnosticSeverity.Error,
            "A constant is not a multiple of the property's multipleOf.");

        public static readonly DiagnosticDescriptor ValueLength = Create(
            "SCG1003", "String length is outside the schema's limits", ValueMessage, Values, DiagnosticSeverity.Error,
            "A constant string is shorter than minLength or longer than maxLength (counted in Unicode code points, as JSON Schema counts).");

        public static readonly DiagnosticDescriptor ValuePattern = Create(
            "SCG1004", "String does not match the schema's pattern", ValueMessage, Values, DiagnosticSeverity.Error,
            "A constant string does not match the property's pattern (ECMA-262, searched anywhere in the string unless anchored).");

        public static readonly DiagnosticDescriptor ValueNotAllowed = Create(
            "SCG1005", "Value is not one the schema allows", ValueMessage, Values, DiagnosticSeverity.Error,
            "A constant is not the property's const or one of its enum values, where the property is a plain string or number rather than a generated enum.");

        public static readonly DiagnosticDescriptor ValueItemCount = Create(
            "SCG1006", "Collection size is outside the schema's limits", ValueMessage, Values, DiagnosticSeverity.Error,
            "An array initializer or collection expression of known length has fewer items than minItems or more than maxItems.");

        public static readonly DiagnosticDescriptor ValueNull = Create(
            "SCG1007", "Null given to a property that cannot be null", ValueMessage, Values, DiagnosticSeverity.Error,
            "A required property that the schema does not allow to be null is given null (for example with null!).");

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = new Dictionary<string, DiagnosticDescriptor>
        {
            [MalformedJson.Id] = MalformedJson,
            [UnrecognizedDocument.Id] = UnrecognizedDocument,
            [UnsupportedVersion.Id] = UnsupportedVersion,
            [UnsupportedType.Id] = UnsupportedType,
            [UnresolvedReference.Id] = UnresolvedReference,
            [CyclicReference.Id] = CyclicReference,
            [PropertyNameCollision.Id] = PropertyNameCollision,
            [NameAdjusted.Id] = NameAdjusted,
            [EnumValueCollision.Id] = EnumValueCollision,
            [DefaultOutsideLimits.Id] = DefaultOutsideLimits,
            [UnionFallback.Id] = UnionFallback,
            [InvalidPattern.Id] = InvalidPattern,
            [UnsupportedKeyword.Id] = UnsupportedKeyword,
            [InternalError.Id] = InternalError,
            [DuplicateModel.Id] = DuplicateModel,
            [NestingTooDeep.Id] = NestingTooDeep,
            [NoBuildProps.Id] = NoBuildProps,
            [ValidationTooCostly.Id] = ValidationTooCostly,
            [ValueOutOfRange.Id] = ValueOutOfRange,
            [ValueNotMultiple.Id] = ValueNotMultiple,
            [ValueLength.Id] = ValueLength,
            [ValuePattern.Id] = ValuePattern,
            [ValueNotAllowed.Id] = ValueNotAllowed,
            [ValueItemCount.Id] = ValueItemCount,
            [ValueNull.Id] = ValueNull,
        };

        /// <summary>The descriptors of values in user code, reported by the analyzer.</summary>
        public static readonly DiagnosticDescriptor[] ValueRules = { ValueOutOfRange, ValueNotMultiple, ValueLength, ValuePattern, ValueNotAllowed, ValueItemCount, ValueNull };

        /// <summary>The descriptor for a broken rule keyword.</summary>
        public static DiagnosticDescriptor ForRule(string rule)
        {
            switch (rule)
            {
                case "minimum":
                case "maximum":
                case "exclusiveMinimum":
                case "exclusiveMaximum":
                    return ValueOutOfRange;
                case "multipleOf": return ValueNotMultiple;
                case "minLength":
                case "maxLength": return ValueLength;
                case "pattern": return ValuePattern;
                case "minItems":
                case "maxItems": return ValueItemCount;
                case "required": return ValueNull;
                default: return ValueNotAllowed;
            }
        }

        public static IEnumerable<DiagnosticDescriptor> All => ById.Values;

        public static DiagnosticDescriptor Find(string id) => ById[id];

        /// <summary>
        /// <paramref name="descriptor"/> with its help link: <c>ID.md</c> under <paramref name="helpLinkRoot"/>
        /// (<c>SchemaClientsHelpLinkRoot</c>, set by the package's props to its own docs folder). With no root the
        /// descriptor has no link: better none than one to a page that does not exist.
        /// </summary>
        public static DiagnosticDescriptor WithHelpLink(DiagnosticDescriptor descriptor, string? helpLinkRoot)
        {
            if (helpLinkRoot == null)
            {
                return descriptor;
            }

            return Linked.GetOrAdd((helpLinkRoot, descriptor.Id), key => new DiagnosticDescriptor(
                descriptor.Id, descriptor.Title, descriptor.MessageFormat, descriptor.Category, descriptor.DefaultSeverity,
                descriptor.IsEnabledByDefault, descriptor.Description, key.Root + key.Id + ".md", System.Linq.Enumerable.ToArray(descriptor.CustomTags)));
        }

        private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description)
            => new DiagnosticDescriptor(id, title, message, category, severity, isEnabledByDefault: true, description: description);
    }
}
