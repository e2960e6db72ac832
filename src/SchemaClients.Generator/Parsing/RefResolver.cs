using System;
using System.Collections.Generic;
using System.Globalization;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Resolves <c>$ref</c> the way JSON Schema does: against the base URI of the schema that holds it (set by
    /// <c>$id</c>, or draft 4's <c>id</c>, on it or around it), to a schema resource, then a JSON pointer or an anchor
    /// (<c>$anchor</c>, <c>$dynamicAnchor</c>, or up to draft 7 an <c>$id</c> of the form <c>#name</c>) inside it.
    /// Resources are found in this document and, for other URIs, in the other checked-in schema files
    /// (<see cref="SchemaRegistry"/>): never on the network. The validator graph and the C# types both resolve here.
    /// </summary>
    internal sealed class RefResolver
    {
        /// <summary>Schema keywords whose value is one subschema.</summary>
        private static readonly HashSet<string> Single = new HashSet<string>(StringComparer.Ordinal)
        {
            "additionalProperties", "additionalItems", "not", "if", "then", "else", "contains", "propertyNames",
            "unevaluatedProperties", "unevaluatedItems", "contentSchema",
        };

        /// <summary>Schema keywords whose value is a list of subschemas.</summary>
        private static readonly HashSet<string> Lists = new HashSet<string>(StringComparer.Ordinal) { "allOf", "anyOf", "oneOf", "prefixItems" };

        /// <summary>Schema keywords whose value maps names to subschemas.</summary>
        private static readonly HashSet<string> Maps = new HashSet<string>(StringComparer.Ordinal)
        {
            "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies",
        };

        /// <summary>Keywords whose values are data, never schemas: an <c>$id</c> inside them identifies nothing.</summary>
        private static readonly HashSet<string> Data = new HashSet<string>(StringComparer.Ordinal)
        {
            "enum", "const", "default", "examples", "example", "required", "type", "x-examples",
        };

        private readonly SchemaRegistry _registry;
        private readonly Dictionary<JsonSyntax, string> _baseOf = new Dictionary<JsonSyntax, string>(ReferenceComparer.Instance);
        private readonly Dictionary<JsonSyntax, int> _resourceOf = new Dictionary<JsonSyntax, int>(ReferenceComparer.Instance);
        private readonly Dictionary<JsonSyntax, SchemaDialect> _dialectOf = new Dictionary<JsonSyntax, SchemaDialect>(ReferenceComparer.Instance);
        private readonly Dictionary<string, JsonSyntax> _resources = new Dictionary<string, JsonSyntax>(StringComparer.Ordinal);
        private readonly Dictionary<string, JsonSyntax> _anchors = new Dictionary<string, JsonSyntax>(StringComparer.Ordinal);
        private readonly Dictionary<string, JsonSyntax?> _remotes = new Dictionary<string, JsonSyntax?>(StringComparer.Ordinal);
        private readonly Dictionary<JsonSyntax, SourceLines> _linesOf = new Dictionary<JsonSyntax, SourceLines>(ReferenceComparer.Instance);
        private readonly List<(int Resource, string Name, JsonSyntax Schema)> _dynamicAnchors = new List<(int, string, JsonSyntax)>();
        private readonly Dictionary<string, (JsonSyntax? Target, string? Why)> _resolved = new Dictionary<string, (JsonSyntax?, string?)>(StringComparer.Ordinal);
        private readonly SchemaDialect _dialect;
        private readonly HashSet<JsonSyntax> _noValidation = new HashSet<JsonSyntax>(ReferenceComparer.Instance);
        private readonly Dictionary<string, (SchemaDialect Dialect, bool Validation)> _metaSchemas = new Dictionary<string, (SchemaDialect, bool)>(StringComparer.Ordinal);
        private readonly Dictionary<string, (JsonSyntax? Target, string? Why)> _localResolved = new Dictionary<string, (JsonSyntax?, string?)>(StringComparer.Ordinal);
        private int _resourceCount;

        /// <param name="root">What <c>#</c> points at: the document, or the schema an Oxen model object embeds.</param>
        /// <param name="dialect">The draft of the document when <c>$schema</c> does not say.</param>
        /// <param name="documentUri">The document's own URI (its file, or the URI the build gives it); relative <c>$id</c>s and refs resolve against it.</param>
        /// <param name="registry">The other schema files, by URI, that remote references may point at.</param>
        public RefResolver(JsonSyntax root, SchemaDialect dialect = SchemaDialect.Draft2020, string? documentUri = null, SchemaRegistry? registry = null)
        {
            _registry = registry ?? SchemaRegistry.Empty;
            DocumentUri = Normalize(documentUri ?? "urn:schemaclients:document");
            Root = root;
            _dialect = dialect;
            Index(root, DocumentUri, dialect);
            foreach (RegistryEntry entry in _registry.Entries)
            {
                UsesUnevaluatedProperties |= entry.Text.IndexOf("\"unevaluatedProperties\"", StringComparison.Ordinal) >= 0;
                UsesUnevaluatedItems |= entry.Text.IndexOf("\"unevaluatedItems\"", StringComparison.Ordinal) >= 0;
            }
        }

        /// <summary>The document's root schema.</summary>
        public JsonSyntax Root { get; }

        /// <summary>The document's URI, without a fragment.</summary>
        public string DocumentUri { get; }

        /// <summary>Every <c>$dynamicAnchor</c> (and 2019-09 <c>$recursiveAnchor: true</c>, as the empty name) known so far.</summary>
        public IReadOnlyList<(int Resource, string Name, JsonSyntax Schema)> DynamicAnchors => _dynamicAnchors;

        /// <summary>
        /// Whether this document or a file it may reach uses <c>unevaluatedProperties</c> (then an explicit
        /// <c>additionalProperties: true</c> counts): decided before any node is built, whatever order files load in.
        /// </summary>
        public bool UsesUnevaluatedProperties { get; private set; }

        /// <summary>Whether this document or a file it may reach uses <c>unevaluatedItems</c> (then what contains matched counts, 2020-12).</summary>
        public bool UsesUnevaluatedItems { get; private set; }

        /// <summary>The base URI a schema's keywords resolve against (its own <c>$id</c> included).</summary>
        public string BaseOf(JsonSyntax schema) => _baseOf.TryGetValue(schema, out string? uri) ? uri : DocumentUri;

        /// <summary>The schema resource a schema belongs to (0 is the document).</summary>
        public int ResourceOf(JsonSyntax schema) => _resourceOf.TryGetValue(schema, out int resource) ? resource : 0;

        /// <summary>The draft a schema is written in (its resource's <c>$schema</c>, else the document's).</summary>
        public SchemaDialect DialectOf(JsonSyntax schema) => _dialectOf.TryGetValue(schema, out SchemaDialect dialect) ? dialect : _dialect;

        /// <summary>The lines of another file a schema came from (a remote reference's target), or null for this document.</summary>
        public SourceLines? LinesOf(JsonSyntax schema) => _linesOf.TryGetValue(schema, out SourceLines? lines) ? lines : null;

        /// <summary>The node a reference written in the document's root schema points at (see <see cref="Resolve(string, JsonSyntax, out string?)"/>).</summary>
        public JsonSyntax? Resolve(string reference, out string? why) => Resolve(reference, Root, out why);

        /// <summary>
        /// The schema a reference written in <paramref name="from"/> points at, or null with why it does not resolve
        /// (the reason SCG0005 gives).
        /// </summary>
        public JsonSyntax? Resolve(string reference, JsonSyntax from, out string? why)
        {
            why = null;
            bool local = reference.StartsWith("#", StringComparison.Ordinal) && !_baseOf.ContainsKey(from);
            if (local && _localResolved.TryGetValue(reference, out (JsonSyntax? Target, string? Why) same))
            {
                // The common case, "#/..." in a schema with the document's base: no URI is built.
                why = same.Why;
                return same.Target;
            }

            string? absolute = Combine(BaseOf(from), reference);
            if (absolute == null)
            {
                why = "'" + reference + "' is not a URI reference";
                return null;
            }

            if (_resolved.TryGetValue(absolute, out (JsonSyntax? Target, string? Why) known))
            {
                why = known.Why;
                return known.Target;
            }

            JsonSyntax? target = ResolveAbsolute(absolute, out why);
            _resolved[absolute] = (target, why);
            if (local)
            {
                _localResolved[reference] = (target, why);
            }

            return target;
        }

        private JsonSyntax? ResolveAbsolute(string absolute, out string? why)
        {
            why = null;
            int hash = absolute.IndexOf('#');
            string resourceUri = hash < 0 ? absolute : absolute.Substring(0, hash);
            string fragment = hash < 0 ? string.Empty : absolute.Substring(hash + 1);
            if (!_resources.TryGetValue(resourceUri, out JsonSyntax? resource))
            {
                resource = LoadRemote(resourceUri);
                if (resource == null)
                {
                    why = resourceUri == DocumentUri || resourceUri.StartsWith("urn:schemaclients:", StringComparison.Ordinal)
                        ? "the document has no such resource"
                        : "'" + resourceUri + "' is neither this document nor a checked-in schema file (references never go to the network)";
                    return null;
                }
            }

            string pointer = Unescape(fragment);
            if (pointer.Length == 0)
            {
                return resource;
            }

            if (pointer[0] != '/')
            {
                if (_anchors.TryGetValue(resourceUri + "#" + pointer, out JsonSyntax? anchored))
                {
                    return anchored;
                }

                why = "no $anchor '" + pointer + "' in " + resourceUri;
                return null;
            }

            JsonSyntax current = resource;
            foreach (string rawToken in pointer.Substring(1).Split('/'))
            {
                string token = rawToken.Replace("~1", "/").Replace("~0", "~");
                JsonSyntax? next = null;
                if (current.IsObject)
                {
                    next = current.Get(token);
                }
                else if (current.Kind == JsonKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.Items.Count)
                {
                    next = current.Items[index];
                }

                if (next == null)
                {
                    why = "'" + token + "' does not exist";
                    return null;
                }

                current = next;
            }

            return current;
        }

        private JsonSyntax? LoadRemote(string uri)
        {
            if (_remotes.TryGetValue(uri, out JsonSyntax? loaded))
            {
                return loaded;
            }

            _remotes[uri] = null;
            RegistryEntry? entry = _registry.Find(uri);
            if (entry == null)
            {
                return null;
            }

            JsonReadResult read = JsonReader.Read(entry.Text);
            if (read.Root == null)
            {
                return null;
            }

            JsonSyntax root = read.Root;
            var lines = new SourceLines(entry.Path, entry.Text);
            // A file that does not say its draft is read in the referring document's.
            SchemaDialect dialect = root.IsObject ? SchemaDialects.From(root.GetString("$schema"), _dialect) : _dialect;
            Index(root, uri, dialect, lines);
            _remotes[uri] = root;
            _resources[uri] = root; // the URI it was asked by, whatever $id the file gives itself
            return root;
        }

        /// <summary>Walks the schemas of one document (bounded, without recursion), recording base URIs, resources and anchors.</summary>
        private void Index(JsonSyntax root, string uri, SchemaDialect dialect, SourceLines? lines = null)
        {
            var pending = new Stack<(JsonSyntax Node, string Base, int Resource, SchemaDialect Dialect, bool Validation, bool Schema, int Depth)>();
            int document = _resourceCount++;
            _resources[uri] = root;
            pending.Push((root, uri, document, dialect, true, true, 0));
            while (pending.Count > 0)
            {
                (JsonSyntax node, string baseUri, int resource, SchemaDialect nodeDialect, bool validation, bool schema, int depth) = pending.Pop();
                if (depth > NodeGraphBuilder.MaxDepth || !node.IsObject && node.Kind != JsonKind.Array)
                {
                    if (node.IsBoolean)
                    {
                        _ = validation;
                        Record(node, baseUri, resource, nodeDialect);
                    }

                    continue;
                }

                if (lines != null)
                {
                    _linesOf[node] = lines;
                }

                if (node.Kind == JsonKind.Array)
                {
                    foreach (JsonSyntax item in node.Items)
                    {
                        pending.Push((item, baseUri, resource, nodeDialect, validation, schema, depth + 1));
                    }

                    continue;
                }

                if (schema)
                {
                    if (node.GetString("$schema") is string metaSchema)
                    {
                        nodeDialect = MetaSchema(metaSchema, nodeDialect, out validation);
                    }

                    if (!validation)
                    {
                        _noValidation.Add(node);
                    }

                    (baseUri, resource) = Identify(node, baseUri, resource, nodeDialect, documentRoot: depth == 0);
                    Record(node, baseUri, resource, nodeDialect);
                    UsesUnevaluatedProperties |= node.Get("unevaluatedProperties") != null;
                    UsesUnevaluatedItems |= node.Get("unevaluatedItems") != null;
                }

                foreach (JsonMember member in node.Members)
                {
                    JsonSyntax value = member.Value;
                    if (!schema)
                    {
                        // Not a schema (an OpenAPI components object, a path item, a map of schemas): what it holds may
                        // be; an object is taken for a schema when it has a schema keyword.
                        pending.Push((value, baseUri, resource, nodeDialect, validation, LooksLikeSchema(value), depth + 1));
                    }
                    else if (Single.Contains(member.Name) || member.Name == "items")
                    {
                        // items may be an array of schemas (up to 2019-09): its elements are schemas too.
                        pending.Push((value, baseUri, resource, nodeDialect, validation, value.IsObject || value.IsBoolean || value.Kind == JsonKind.Array, depth + 1));
                    }
                    else if (Lists.Contains(member.Name))
                    {
                        pending.Push((value, baseUri, resource, nodeDialect, validation, true, depth + 1));
                    }
                    else if (Maps.Contains(member.Name) && value.IsObject)
                    {
                        foreach (JsonMember entry in value.Members)
                        {
                            pending.Push((entry.Value, baseUri, resource, nodeDialect, validation, entry.Value.IsObject || entry.Value.IsBoolean, depth + 2));
                        }
                    }
                    else if (!Data.Contains(member.Name) && (value.IsObject || value.Kind == JsonKind.Array) && !member.Name.StartsWith("$", StringComparison.Ordinal))
                    {
                        // An unknown keyword (an OpenAPI document's components, paths, responses): searched, not trusted.
                        pending.Push((value, baseUri, resource, nodeDialect, validation, false, depth + 1));
                    }
                }
            }
        }

        /// <summary>
        /// Remembers a schema's base URI, resource and draft where they differ from the document's: most documents have
        /// no $id and one draft, so they store nothing per schema.
        /// </summary>
        private void Record(JsonSyntax node, string baseUri, int resource, SchemaDialect dialect)
        {
            if (!ReferenceEquals(baseUri, DocumentUri) && baseUri != DocumentUri)
            {
                _baseOf[node] = baseUri;
            }

            if (resource != 0)
            {
                _resourceOf[node] = resource;
            }

            if (dialect != _dialect)
            {
                _dialectOf[node] = dialect;
            }
        }

        private static readonly HashSet<string> SchemaMarks = new HashSet<string>(StringComparer.Ordinal)
        {
            "type", "properties", "items", "$ref", "$id", "$anchor", "$dynamicAnchor", "$dynamicRef", "$schema", "allOf", "anyOf",
            "oneOf", "not", "enum", "const", "$defs", "definitions", "additionalProperties", "prefixItems", "if", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems",
            "uniqueItems", "required", "format", "nullable", "$recursiveRef", "$recursiveAnchor",
        };

        /// <summary>Whether an object found outside the schema keywords has a keyword only a schema has.</summary>
        private static bool LooksLikeSchema(JsonSyntax value)
        {
            if (!value.IsObject)
            {
                return false;
            }

            foreach (JsonMember member in value.Members)
            {
                if (SchemaMarks.Contains(member.Name) || Single.Contains(member.Name) || Lists.Contains(member.Name) || Maps.Contains(member.Name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether the validation vocabulary applies to a schema: not when its meta-schema's <c>$vocabulary</c> leaves it out.</summary>
        public bool Validates(JsonSyntax schema) => !_noValidation.Contains(schema);

        /// <summary>Meta-schemas the document names that are neither a draft nor a checked-in file (SCG0013: read as 2020-12, all vocabularies).</summary>
        public IEnumerable<string> UnknownMetaSchemas
        {
            get
            {
                foreach (KeyValuePair<string, (SchemaDialect Dialect, bool Validation)> meta in _metaSchemas)
                {
                    if (_unknownMeta.Contains(meta.Key))
                    {
                        yield return meta.Key;
                    }
                }
            }
        }

        private readonly HashSet<string> _unknownMeta = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// The draft and whether the validation vocabulary is on, for a <c>$schema</c>: a known draft's URI says it;
        /// another URI is looked up among the checked-in files, whose own <c>$schema</c> gives the draft and whose
        /// <c>$vocabulary</c> (2019-09 on) says whether validation keywords assert.
        /// </summary>
        private SchemaDialect MetaSchema(string uri, SchemaDialect fallback, out bool validation)
        {
            validation = true;
            SchemaDialect known = SchemaDialects.From(uri, (SchemaDialect)0);
            if (known != 0)
            {
                return known;
            }

            string key = Normalize(uri);
            if (_metaSchemas.TryGetValue(key, out (SchemaDialect Dialect, bool Validation) cached))
            {
                validation = cached.Validation;
                return cached.Dialect;
            }

            SchemaDialect dialect = fallback;
            RegistryEntry? entry = _registry.Find(key);
            JsonSyntax? meta = entry != null ? JsonReader.Read(entry.Text).Root : null;
            if (meta != null && meta.IsObject)
            {
                dialect = SchemaDialects.From(meta.GetString("$schema"), fallback);
                if (meta.Get("$vocabulary") is JsonSyntax vocabularies && vocabularies.IsObject)
                {
                    validation = false;
                    foreach (JsonMember vocabulary in vocabularies.Members)
                    {
                        validation |= vocabulary.Name.EndsWith("/vocab/validation", StringComparison.Ordinal);
                    }
                }
            }
            else
            {
                _unknownMeta.Add(key);
            }

            _metaSchemas[key] = (dialect, validation);
            return dialect;
        }

        /// <summary>The base URI and resource of a schema: a new resource when its <c>$id</c> names one; anchors registered.</summary>
        private (string Base, int Resource) Identify(JsonSyntax schema, string baseUri, int resource, SchemaDialect dialect, bool documentRoot)
        {
            bool idIgnored = dialect.RefOverridesSiblings() && schema.Get("$ref") != null;
            string? id = idIgnored ? null : schema.GetString(dialect == SchemaDialect.Draft4 ? "id" : "$id");
            if (id != null)
            {
                if (id.StartsWith("#", StringComparison.Ordinal) && dialect <= SchemaDialect.Draft7)
                {
                    // Up to draft 7, "$id": "#name" is a plain-name anchor in the current resource.
                    if (id.Length > 1)
                    {
                        _anchors[baseUri + id] = schema;
                    }
                }
                else if (Combine(baseUri, id) is string absolute)
                {
                    int hash = absolute.IndexOf('#');
                    string resourceUri = hash < 0 ? absolute : absolute.Substring(0, hash);
                    if (resourceUri != baseUri && !documentRoot)
                    {
                        resource = _resourceCount++;
                    }

                    baseUri = resourceUri;
                    _resources[baseUri] = schema;
                    if (hash >= 0 && hash + 1 < absolute.Length && dialect <= SchemaDialect.Draft7)
                    {
                        _anchors[baseUri + "#" + Unescape(absolute.Substring(hash + 1))] = schema;
                    }
                }
            }

            if (dialect >= SchemaDialect.Draft2019 && schema.GetString("$anchor") is string anchor)
            {
                _anchors[baseUri + "#" + anchor] = schema;
            }

            if (dialect >= SchemaDialect.Draft2020 && schema.GetString("$dynamicAnchor") is string dynamicAnchor)
            {
                _anchors[baseUri + "#" + dynamicAnchor] = schema;
                _dynamicAnchors.Add((resource, dynamicAnchor, schema));
            }

            if (dialect == SchemaDialect.Draft2019 && schema.Get("$recursiveAnchor") is JsonSyntax recursive && recursive.Kind == JsonKind.True)
            {
                _dynamicAnchors.Add((resource, string.Empty, schema));
            }

            return (baseUri, resource);
        }

        /// <summary>Whether a schema declares <c>$dynamicAnchor</c> <paramref name="name"/> (or, for "", <c>$recursiveAnchor: true</c>).</summary>
        public bool DeclaresDynamicAnchor(JsonSyntax schema, string name)
        {
            foreach ((int _, string anchor, JsonSyntax declared) in _dynamicAnchors)
            {
                if (ReferenceEquals(declared, schema) && anchor == name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary><paramref name="reference"/> resolved against <paramref name="baseUri"/>; null when it is not a URI reference.</summary>
        internal static string? Combine(string baseUri, string reference)
        {
            if (reference.StartsWith("#", StringComparison.Ordinal))
            {
                int hash = baseUri.IndexOf('#');
                return (hash < 0 ? baseUri : baseUri.Substring(0, hash)) + reference;
            }

            try
            {
                if (HasScheme(reference))
                {
                    return Normalize(reference);
                }

                if (Uri.TryCreate(baseUri, UriKind.Absolute, out Uri? root) && Uri.TryCreate(root, reference, out Uri? combined))
                {
                    return Normalize(combined.OriginalString.Length > 0 && combined.IsAbsoluteUri ? combined.AbsoluteUri : reference);
                }
            }
            catch (UriFormatException)
            {
                // not a URI reference
            }

            return null;
        }

        /// <summary>One spelling per URI: what both registration and lookup use. An empty trailing fragment is dropped.</summary>
        internal static string Normalize(string uri)
        {
            if (uri.EndsWith("#", StringComparison.Ordinal))
            {
                uri = uri.Substring(0, uri.Length - 1);
            }

            if (uri.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) || !HasScheme(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed))
            {
                return uri;
            }

            string fragment = parsed.Fragment;
            string without = parsed.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Fragment, UriFormat.UriEscaped);
            return fragment.Length > 1 ? without + fragment : without;
        }

        /// <summary>
        /// Whether a reference starts with a URI scheme (RFC 3986: a letter, then letters, digits, +, - or ., then ':').
        /// "/absref/x.json" is a path relative to the base, not a file URI, whatever the platform says.
        /// </summary>
        private static bool HasScheme(string reference)
        {
            if (reference.Length < 2 || !IsLetter(reference[0]))
            {
                return false;
            }

            for (int i = 1; i < reference.Length; i++)
            {
                char c = reference[i];
                if (c == ':')
                {
                    return true;
                }

                if (!IsLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.')
                {
                    return false;
                }
            }

            return false;

            static bool IsLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private static string Unescape(string fragment)
        {
            try
            {
                return Uri.UnescapeDataString(fragment);
            }
            catch (UriFormatException)
            {
                return fragment;
            }
        }

        /// <summary>One JSON pointer token for a name: <c>~</c> and <c>/</c> escaped.</summary>
        public static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");
    }
}
