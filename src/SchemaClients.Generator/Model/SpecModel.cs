using SchemaClients.Generator.Diagnostics;

namespace SchemaClients.Generator.Model
{
    // Every record here must stay structurally equal across runs: the incremental pipeline compares
    // them to decide what to re-emit. Only primitives, strings, other model records and
    // EquatableArray are allowed; never a Compilation, ISymbol, SyntaxNode, Location or AdditionalText.

    /// <summary>Which kind of document a schema file is.</summary>
    internal enum DocumentKind
    {
        Unknown,
        OpenApi30,
        OpenApi31,
        OxenModel,
        ReplicateModel,
        JsonSchema,
    }

    /// <summary>How a value is represented in C#.</summary>
    internal enum ValueKind
    {
        String,
        Int32,
        Int64,
        Double,
        Boolean,
        Enum,
        OpenEnum,
        Record,
        Union,
        List,
        Map,
        Json,

        /// <summary>An image input (a URL string on the wire): <c>global::SchemaClients.Files.ImageInput</c>.</summary>
        Image,
    }

    /// <summary>What a declared type is.</summary>
    internal enum TypeSpecKind
    {
        Record,
        Enum,
        OpenEnum,
        Union,
    }

    /// <summary>
    /// The limits a value must keep. Numbers as doubles; null means the keyword is absent.
    /// <see cref="AllowedJson"/> holds the values of <c>const</c> or <c>enum</c> as JSON text, for values that are
    /// not generated as a C# enum (a plain string, a number), so typed and JSON validation agree.
    /// </summary>
    internal sealed record Constraints(
        double? Minimum,
        double? Maximum,
        double? ExclusiveMinimum,
        double? ExclusiveMaximum,
        double? MultipleOf,
        int? MinLength,
        int? MaxLength,
        string? Pattern,
        int? MinItems,
        int? MaxItems,
        bool UniqueItems,
        EquatableArray<string> AllowedJson)
    {
        public static readonly Constraints None = new Constraints(null, null, null, null, null, null, null, null, null, null, false, EquatableArray<string>.Empty);

        public bool IsEmpty => Equals(None);
    }

    /// <summary>A C# type as the emitter writes it, with the limits of values of that type.</summary>
    /// <param name="Name">The type name: a keyword for primitives, the simple name for generated types.</param>
    /// <param name="Element">The element of a list or the value of a map.</param>
    /// <param name="ElementNullable">Whether list or map elements may be null.</param>
    /// <param name="NodeId">The JSON validator node of this value, for JsonElement values.</param>
    internal sealed record TypeRef(ValueKind Kind, string Name, TypeRef? Element, bool ElementNullable, Constraints Constraints, int NodeId)
    {
        public bool IsValueType => Kind == ValueKind.Int32 || Kind == ValueKind.Int64 || Kind == ValueKind.Double
            || Kind == ValueKind.Boolean || Kind == ValueKind.Enum || Kind == ValueKind.OpenEnum || Kind == ValueKind.Json;
    }

    /// <summary>One property of a generated record.</summary>
    /// <param name="NodeId">The schema graph node of the property's own schema (its <c>$ref</c> and siblings included).</param>
    internal sealed record PropertySpec(
        string JsonName,
        string CsName,
        TypeRef Type,
        bool Required,
        bool Nullable,
        string? Summary,
        string? DefaultJson,
        int NodeId);

    /// <summary>Where a property is declared in its schema file, for diagnostics that point there.</summary>
    /// <param name="Keywords">Where each validation keyword of the property's schema is written (<c>"maximum": 50</c>), following
    /// <c>$ref</c> and branches; the first of each name. The analyzer points at the keyword a value breaks.</param>
    internal sealed record PropertyLocation(string TypeName, string JsonName, LocationInfo Location, EquatableArray<KeywordLocation> Keywords);

    /// <summary>Where one keyword of a property's schema is written in the schema file.</summary>
    internal sealed record KeywordLocation(string Keyword, LocationInfo Location);

    /// <summary>One member of a generated enum or open enum: the C# name and the exact wire value.</summary>
    internal sealed record EnumMemberSpec(string CsName, string WireValue);

    /// <summary>One branch of a union, told apart from the others by its JSON token kind.</summary>
    /// <param name="NodeId">The schema graph node of the branch.</param>
    internal sealed record UnionBranchSpec(string MemberName, TypeRef Type, int NodeId);

    /// <summary>Where a declared type is used: in what a client sends, in what it reads from answers, or both.</summary>
    [System.Flags]
    internal enum TypeUsage
    {
        /// <summary>Reached from no operation (a component no body names, a plain JSON Schema): treated as sent.</summary>
        None = 0,

        /// <summary>Reached from a request body (or the document's root schema).</summary>
        Request = 1,

        /// <summary>Reached from an answer: read liberally (a missing required member reads as null, unknown members are kept, unknown enum values too).</summary>
        Answer = 2,
    }

    /// <summary>A type the generator declares: a record, an enum, an open enum or a union.</summary>
    /// <param name="Usage">Where the type is used; types read from answers are generated to read liberally.</param>
    /// <param name="KnownOnly">An open enum whose schema allows only its known values (a closed enum read from answers, so new values are kept, not rejected).</param>
    internal sealed record TypeSpec(
        TypeSpecKind Kind,
        string Name,
        string? Summary,
        EquatableArray<PropertySpec> Properties,
        EquatableArray<EnumMemberSpec> Members,
        EquatableArray<UnionBranchSpec> Branches,
        bool Nullable,
        int NodeId,
        TypeUsage Usage = TypeUsage.None,
        bool KnownOnly = false)
    {
        /// <summary>Whether the type is read from answers, and so read liberally.</summary>
        public bool IsAnswer => (Usage & TypeUsage.Answer) != 0;

        /// <summary>Whether code builds values of the type to send (a request, or a type no operation names).</summary>
        public bool IsSent => (Usage & TypeUsage.Request) != 0 || Usage == TypeUsage.None;
    }

    /// <summary>A property entry of a JSON validator node.</summary>
    internal sealed record NodeProperty(string Name, int Node);

    /// <summary>
    /// One schema as the JSON validator sees it. Nodes refer to each other by index so that recursive
    /// schemas stay a flat, equatable list.
    /// </summary>
    /// <param name="TypeMask">Allowed JSON types (bits of <see cref="Shared.Validation.TypeMask"/>); 0 allows any.</param>
    /// <param name="AdditionalProperties">-1: any; -2: none allowed; otherwise the node for extra properties.</param>
    /// <param name="Items">-1 when absent; otherwise the node every item must match.</param>
    /// <param name="Ref">-1 when absent; otherwise the node the value must also match.</param>
    /// <param name="Not">-1 when absent; otherwise the node the value must not match.</param>
    internal sealed record SchemaNodeSpec(
        int Id,
        string Pointer,
        bool? BooleanSchema,
        int TypeMask,
        Constraints Constraints,
        bool HasEnum,
        EquatableArray<string> EnumJson,
        string? ConstJson,
        EquatableArray<NodeProperty> Properties,
        EquatableArray<string> Required,
        int AdditionalProperties,
        int Items,
        EquatableArray<int> AllOf,
        EquatableArray<int> AnyOf,
        EquatableArray<int> OneOf,
        int Ref,
        int Not)
    {
        /// <summary>The keywords most schemas do not use (patternProperties, tuples, contains, if, unevaluated*, dynamic refs).</summary>
        public NodeExtras Extras { get; init; } = NodeExtras.None;
    }

    /// <summary>A dependentRequired entry: when <paramref name="Name"/> is present, so must <paramref name="Required"/> be.</summary>
    internal sealed record NodeDependency(string Name, EquatableArray<string> Required);

    /// <summary>
    /// The keywords of a validator node beyond the common ones, as node indexes (-1 for absent). ContainsEvaluates:
    /// the items contains matches count as evaluated for unevaluatedItems (2020-12; not in 2019-09). Held apart so the
    /// common node stays small and a schema that uses none of them writes none of them.
    /// </summary>
    internal sealed record NodeExtras(
        EquatableArray<NodeProperty> PatternProperties,
        int PropertyNames,
        int? MinProperties,
        int? MaxProperties,
        EquatableArray<NodeDependency> DependentRequired,
        EquatableArray<NodeProperty> DependentSchemas,
        EquatableArray<int> PrefixItems,
        int Contains,
        int? MinContains,
        int? MaxContains,
        int If,
        int Then,
        int Else,
        int UnevaluatedProperties,
        int UnevaluatedItems,
        int DynamicRef,
        string? DynamicRefAnchor,
        string? DeclaredDynamicAnchor,
        int Resource,
        bool ContainsEvaluates = false)
    {
        public static readonly NodeExtras None = new NodeExtras(
            EquatableArray<NodeProperty>.Empty, -1, null, null, EquatableArray<NodeDependency>.Empty, EquatableArray<NodeProperty>.Empty,
            EquatableArray<int>.Empty, -1, null, null, -1, -1, -1, -1, -1, -1, null, null, 0);

        /// <summary>Whether any keyword beyond the resource index is set.</summary>
        public bool HasKeywords => this with { Resource = 0 } != None;
    }

    /// <summary>One path or query parameter of an operation.</summary>
    /// <param name="Name">The wire name.</param>
    /// <param name="In">path or query.</param>
    /// <param name="CsName">The C# parameter name (camelCase, escaped when a keyword).</param>
    /// <param name="CsType">string, long, double or bool.</param>
    internal sealed record ParameterSpec(string Name, string In, bool Required, string CsName, string CsType, string? Summary);

    /// <summary>One HTTP operation of an OpenAPI document, kept for the clients.</summary>
    /// <param name="RequestType">The generated record of the JSON body, when the body is one.</param>
    /// <param name="HasBody">Whether the operation takes a JSON body (typed or not).</param>
    /// <param name="MethodName">The client method name without Async, unique in its client.</param>
    internal sealed record OperationSpec(
        string Method,
        string Path,
        string? OperationId,
        string? RequestType,
        string? ResponseType,
        bool HasBody,
        string MethodName,
        string? Summary,
        EquatableArray<ParameterSpec> Parameters);

    /// <summary>Which transports a generated client speaks.</summary>
    internal enum ClientKind
    {
        /// <summary>No client (Replicate model objects, plain JSON Schema, documents without operations).</summary>
        None,

        /// <summary>Oxen: sync edit, queue, events, model object.</summary>
        Oxen,

        /// <summary>fal: sync run and the queue of one endpoint.</summary>
        FalQueue,

        /// <summary>apiframe: generate answers a job at once (202); the job is polled until it completes.</summary>
        ApiframeJobs,

        /// <summary>Any other OpenAPI document: a method per operation.</summary>
        OpenApi,
    }

    /// <summary>What the emitter needs to write a document's client.</summary>
    /// <param name="ClassName">The client class name, unique among the document's types.</param>
    /// <param name="ContextClass">The full name of the shared JSON context.</param>
    /// <param name="BaseAddress">The documented base URL, or null when the document gives none.</param>
    /// <param name="QueueBaseAddress">The queue host when it differs from the base URL (fal).</param>
    /// <param name="FalSubmit">fal: the endpoint path; the others are templates with {request_id}.</param>
    /// <param name="JobSubmit">apiframe: the generate path.</param>
    /// <param name="JobStatus">apiframe: the job path template, with one parameter.</param>
    internal sealed record ClientSpec(
        ClientKind Kind,
        string ClassName,
        string ContextClass,
        string AuthHeader,
        string? AuthScheme,
        string AuthVariable,
        string? BaseAddress,
        string? QueueBaseAddress,
        string? FalSubmit,
        string? FalStatus,
        string? FalResult,
        string? FalCancel,
        string? InputType,
        string? OutputType,
        string? JobSubmit = null,
        string? JobStatus = null)
    {
        public static readonly ClientSpec None = new ClientSpec(ClientKind.None, string.Empty, string.Empty, string.Empty, null, string.Empty, null, null, null, null, null, null, null, null);
    }

    /// <summary>Everything the emitter needs for one schema file.</summary>
    internal sealed record DocumentSpec(
        string FilePath,
        string HintName,
        DocumentKind Kind,
        string Provider,
        string ModelId,
        string Namespace,
        string ClassPrefix,
        string? RootTypeName,
        int RootNode,
        EquatableArray<TypeSpec> Types,
        EquatableArray<SchemaNodeSpec> Nodes,
        EquatableArray<OperationSpec> Operations,
        ClientSpec Client)
    {
        public bool HasOutput => Kind != DocumentKind.Unknown;
    }

    /// <summary>
    /// What parsing one schema file gives: the spec the emitter needs, and apart from it what only diagnostics and
    /// the analyzer need (positions in the file), so an edit that only moves text leaves the spec equal.
    /// </summary>
    internal sealed record ParsedDocument(DocumentSpec Spec, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<PropertyLocation> Locations);

    /// <summary>Options read once from MSBuild properties.</summary>
    internal sealed record GeneratorOptions(string RootNamespace, string? ProjectDirectory, bool BuildPropsImported = true, string? HelpLinkRoot = null);

    /// <summary>A schema file's path and text; compared by content so unchanged files stay cached.</summary>
    internal sealed record SchemaFile(string Path, string Text, string? Uri = null);

    /// <summary>A schema file other documents may reference: the URI the build gives it (if any), its path (its file URI works too) and text.</summary>
    internal sealed record RegistryEntry(string? Uri, string Path, string Text);

    /// <summary>
    /// The schema files a document's remote <c>$ref</c>s may resolve to (never the network). Only documents with a
    /// reference outside themselves get it, so the others stay cached when another file changes.
    /// </summary>
    internal sealed record SchemaRegistry(EquatableArray<RegistryEntry> Entries)
    {
        public static readonly SchemaRegistry Empty = new SchemaRegistry(EquatableArray<RegistryEntry>.Empty);

        /// <summary>The file known by <paramref name="uri"/> (normalized): by the URI the build gives it, else by its file URI; or null.</summary>
        public RegistryEntry? Find(string uri)
        {
            foreach (RegistryEntry entry in Entries)
            {
                if (entry.Uri != null && string.Equals(Parsing.RefResolver.Normalize(entry.Uri.Trim()), uri, System.StringComparison.Ordinal))
                {
                    return entry;
                }
            }

            foreach (RegistryEntry entry in Entries)
            {
                if (string.Equals(Parsing.DocumentParser.FileUri(entry.Path), uri, System.StringComparison.Ordinal))
                {
                    return entry;
                }
            }

            return null;
        }
    }
}
