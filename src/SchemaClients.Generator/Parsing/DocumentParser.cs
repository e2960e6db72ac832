using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Naming;
using SchemaClients.Generator.Reading;
using SchemaClients.Shared;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>
    /// Reads one schema file, decides which kind of document it is and builds its spec model.
    /// The generator, the analyzer and the CLI all go through here; nothing parses a schema another way.
    /// </summary>
    internal static class DocumentParser
    {
        private static readonly string[] HttpMethods = { "get", "put", "post", "delete", "patch", "head", "options" };

        public static ParsedDocument Parse(SchemaFile file, GeneratorOptions options, CancellationToken cancellationToken)
            => Parse(file, options, SchemaRegistry.Empty, cancellationToken);

        /// <param name="registry">The other schema files remote <c>$ref</c>s of this one may resolve to.</param>
        public static ParsedDocument Parse(SchemaFile file, GeneratorOptions options, SchemaRegistry registry, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var lines = new SourceLines(file.Path, file.Text);
            string provider = ProviderOf(file.Path);
            string hintBase = HintNameOf(file.Path, options.ProjectDirectory);
            try
            {
                JsonReadResult read = JsonReader.Read(file.Text);
                if (read.Root == null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedJson, lines.Locate(read.ErrorOffset, Math.Min(read.ErrorOffset + 1, file.Text.Length)), Path.GetFileName(file.Path), read.Error!));
                    return Empty(file, hintBase, provider, diagnostics);
                }

                return ParseDocument(file, options, registry, read.Root, lines, provider, hintBase, diagnostics, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                // The generator never throws: an unexpected failure becomes a diagnostic on this file only.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, lines.Locate(0, 0), Path.GetFileName(file.Path), e.GetType().Name + Where(e) + ": " + e.Message));
                return Empty(file, hintBase, provider, diagnostics);
            }
        }

        /// <summary>" in Type.Method" of the frame that threw, so a report of SCG0014 says where to look.</summary>
        private static string Where(Exception e)
        {
            System.Reflection.MethodBase? method = new System.Diagnostics.StackTrace(e, false).GetFrame(0)?.GetMethod();
            return method == null ? string.Empty : " in " + method.DeclaringType?.Name + "." + method.Name;
        }

        private static ParsedDocument Empty(SchemaFile file, string hintName, string provider, List<DiagnosticInfo> diagnostics) => new ParsedDocument(
            new DocumentSpec(
                file.Path, hintName, DocumentKind.Unknown, provider, string.Empty, string.Empty, string.Empty, null, -1,
                EquatableArray<TypeSpec>.Empty, EquatableArray<SchemaNodeSpec>.Empty, EquatableArray<OperationSpec>.Empty, ClientSpec.None),
            diagnostics.ToEquatableArray(),
            EquatableArray<PropertyLocation>.Empty);

        private static ParsedDocument ParseDocument(SchemaFile file, GeneratorOptions options, SchemaRegistry registry, JsonSyntax root, SourceLines lines, string provider, string hintBase, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            string fileName = Path.GetFileName(file.Path);
            if (root.IsBoolean)
            {
                // true and false are whole JSON Schemas (draft 6 on): a validator that takes or refuses everything, no types.
                string name = Path.GetFileNameWithoutExtension(file.Path);
                TypeMapper booleanMapper = Mapper(file, registry, root, SchemaDialect.Draft2020, lines, diagnostics, cancellationToken);
                return Build(file, options, DocumentKind.JsonSchema, provider, name, hintBase, null, booleanMapper.Graph.NodeOf(root, "#"), booleanMapper, new TypeUsages(), EquatableArray<OperationSpec>.Empty, ClientSpec.None, diagnostics);
            }

            if (!root.IsObject)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnrecognizedDocument, lines.Locate(root.Start, root.Start + 1), fileName, "the top-level value is not an object"));
                return Empty(file, hintBase, provider, diagnostics);
            }

            JsonSyntax? swagger = root.Get("swagger");
            if (swagger != null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedVersion, lines.Locate(swagger), fileName, JsonText.Compact(swagger), "OpenAPI 3.0.x, 3.1.x"));
                return Empty(file, hintBase, provider, diagnostics);
            }

            JsonSyntax? openApi = root.Get("openapi");
            if (openApi != null)
            {
                string version = openApi.IsString ? openApi.StringValue! : JsonText.Compact(openApi);
                DocumentKind kind = version.StartsWith("3.0", StringComparison.Ordinal) ? DocumentKind.OpenApi30
                    : version.StartsWith("3.1", StringComparison.Ordinal) ? DocumentKind.OpenApi31 : DocumentKind.Unknown;
                if (kind == DocumentKind.Unknown)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedVersion, lines.Locate(openApi), fileName, version, "OpenAPI 3.0.x, 3.1.x"));
                    return Empty(file, hintBase, provider, diagnostics);
                }

                JsonSyntax? falMetadata = root.Get("info")?.Get("x-fal-metadata");
                // fal documents name their endpoint; other OpenAPI documents are named by their file.
                string model = falMetadata?.GetString("endpointId") ?? Path.GetFileNameWithoutExtension(file.Path);
                return FromOpenApi(file, options, registry, root, kind, provider, model, lines, hintBase, diagnostics, cancellationToken);
            }

            JsonSyntax? requestSchema = root.Get("json_request_schema");
            if (requestSchema != null && requestSchema.IsObject)
            {
                string model = root.GetString("id") ?? root.GetString("name") ?? Path.GetFileNameWithoutExtension(file.Path);
                TypeMapper mapper = Mapper(file, registry, requestSchema, SchemaDialect.Draft2020, lines, diagnostics, cancellationToken);
                string requestName = Identifiers.ToPascalCase(model) + "Request";
                mapper.ReserveName(requestSchema, requestName, null);
                TypeRef request = mapper.DeclareNamed(requestSchema, "#/json_request_schema");
                var oxenUsage = new TypeUsages();
                oxenUsage.Request(request);
                JsonSyntax? responseSchema = root.Get("json_response_schema");
                if (responseSchema != null && responseSchema.IsObject)
                {
                    mapper.ReserveName(responseSchema, Identifiers.ToPascalCase(model) + "Response", null);
                    oxenUsage.Answer(mapper.DeclareNamed(responseSchema, "#/json_response_schema"));
                }

                string? requestType = request.Kind == ValueKind.Record ? request.Name : null;
                ClientSpec oxenClient = requestType == null ? ClientSpec.None
                    : Client(ClientKind.Oxen, root, provider, options) with { InputType = requestType };
                return Build(file, options, DocumentKind.OxenModel, provider, model, hintBase, requestType, mapper.Graph.NodeOf(requestSchema, "#/json_request_schema"), mapper, oxenUsage, EquatableArray<OperationSpec>.Empty, oxenClient, diagnostics);
            }

            JsonSyntax? embedded = root.Get("latest_version")?.Get("openapi_schema");
            if (embedded != null && embedded.IsObject)
            {
                string owner = root.GetString("owner") ?? string.Empty;
                string name = root.GetString("name") ?? Path.GetFileNameWithoutExtension(file.Path);
                string model = owner.Length > 0 ? owner + "/" + name : name;
                return FromOpenApi(file, options, registry, embedded, DocumentKind.ReplicateModel, provider, model, lines, hintBase, diagnostics, cancellationToken);
            }

            if (LooksLikeSchema(root))
            {
                // No $schema: the current draft, 2020-12. Up to draft-07 a $ref replaces its whole schema.
                SchemaDialect dialect = SchemaDialects.From(root.GetString("$schema"), SchemaDialect.Draft2020);
                string model = root.GetString("title") ?? Path.GetFileNameWithoutExtension(file.Path);
                TypeMapper mapper = Mapper(file, registry, root, dialect, lines, diagnostics, cancellationToken);
                ReserveDefinitions(mapper, root, "$defs", lines);
                ReserveDefinitions(mapper, root, "definitions", lines);
                mapper.ReserveName(root, Identifiers.ToPascalCase(model).Length > 0 ? Identifiers.ToPascalCase(model) : "Schema", null);
                TypeRef rootType = mapper.DeclareNamed(root, "#");
                DeclareDefinitions(mapper, root, "$defs");
                DeclareDefinitions(mapper, root, "definitions");
                // A plain schema says nothing of answers: every type stays strict.
                return Build(file, options, DocumentKind.JsonSchema, provider, model, hintBase, rootType.Kind == ValueKind.Record ? rootType.Name : null, mapper.Graph.NodeOf(root, "#"), mapper, new TypeUsages(), EquatableArray<OperationSpec>.Empty, ClientSpec.None, diagnostics);
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnrecognizedDocument, lines.Locate(root.Start, root.Start + 1), fileName, "it has none of 'openapi', 'json_request_schema', 'latest_version.openapi_schema' or JSON Schema keywords"));
            return Empty(file, hintBase, provider, diagnostics);
        }

        /// <summary>
        /// The type mapper of one document's schemas, over the validator graph it builds its nodes in;
        /// <c>$ref</c>s resolve inside <paramref name="schemaRoot"/>.
        /// </summary>
        private static TypeMapper Mapper(SchemaFile file, SchemaRegistry registry, JsonSyntax schemaRoot, SchemaDialect dialect, SourceLines lines, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var refs = new RefResolver(schemaRoot, dialect, DocumentUri(file), registry);
            var graph = new NodeGraphBuilder(lines, refs, diagnostics, cancellationToken);
            return new TypeMapper(lines, refs, graph, dialect.RefOverridesSiblings(), diagnostics, cancellationToken);
        }

        /// <summary>
        /// The URI a document's relative references resolve against: the one the build gives it
        /// (<c>SchemaClientsUri</c> metadata), else its file's URI.
        /// </summary>
        internal static string DocumentUri(SchemaFile file)
        {
            if (!string.IsNullOrWhiteSpace(file.Uri))
            {
                return RefResolver.Normalize(file.Uri!.Trim());
            }

            return FileUri(file.Path) ?? "urn:schemaclients:" + Uri.EscapeDataString(file.Path.Replace('\\', '/'));
        }

        /// <summary>The file URI of a rooted path, or null.</summary>
        internal static string? FileUri(string path)
        {
            try
            {
                return Path.IsPathRooted(path) ? RefResolver.Normalize(new Uri(path).AbsoluteUri) : null;
            }
            catch (UriFormatException)
            {
                return null;
            }
        }

        private static readonly string[] SchemaKeywords =
        {
            "$schema", "type", "properties", "$defs", "definitions", "allOf", "anyOf", "oneOf", "enum", "const", "$ref", "items", "not",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
            "minItems", "maxItems", "uniqueItems", "required", "additionalProperties", "format", "default",
        };

        private static bool LooksLikeSchema(JsonSyntax root)
        {
            if (root.Members.Count == 0)
            {
                return true; // {} is the schema that accepts everything
            }

            foreach (string keyword in SchemaKeywords)
            {
                if (root.Get(keyword) != null)
                {
                    return true;
                }
            }

            return false;
        }

        private static void ReserveDefinitions(TypeMapper mapper, JsonSyntax root, string keyword, SourceLines lines)
        {
            JsonSyntax? definitions = root.Get(keyword);
            if (definitions == null || !definitions.IsObject)
            {
                return;
            }

            foreach (JsonMember member in definitions.Members)
            {
                mapper.ReserveName(member.Value, member.Name, lines.LocateName(member));
            }
        }

        private static void DeclareDefinitions(TypeMapper mapper, JsonSyntax root, string keyword)
        {
            JsonSyntax? definitions = root.Get(keyword);
            if (definitions == null || !definitions.IsObject)
            {
                return;
            }

            foreach (JsonMember member in definitions.Members)
            {
                mapper.DeclareNamed(member.Value, "#/" + keyword + "/" + member.Name);
            }
        }

        private static ParsedDocument FromOpenApi(SchemaFile file, GeneratorOptions options, SchemaRegistry registry, JsonSyntax root, DocumentKind kind, string provider, string model, SourceLines lines, string hintBase, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            // OpenAPI 3.0's schema objects are draft 4's (with nullable); 3.1's are 2020-12's.
            SchemaDialect dialect = kind == DocumentKind.OpenApi30 || kind == DocumentKind.ReplicateModel ? SchemaDialect.Draft4 : SchemaDialect.Draft2020;
            TypeMapper mapper = Mapper(file, registry, root, dialect, lines, diagnostics, cancellationToken);
            JsonSyntax? schemas = root.Get("components")?.Get("schemas");
            if (schemas != null && schemas.IsObject)
            {
                foreach (JsonMember member in schemas.Members)
                {
                    mapper.ReserveName(member.Value, member.Name, lines.LocateName(member));
                }

                foreach (JsonMember member in schemas.Members)
                {
                    mapper.DeclareNamed(member.Value, "#/components/schemas/" + member.Name);
                }
            }

            var operations = new List<OperationSpec>();
            var usages = new TypeUsages();
            // Members every client has; operations are named around them.
            var methodNames = new HashSet<string>(StringComparer.Ordinal) { "Download", "DownloadToFile" };
            string? rootType = null;
            int rootNode = -1;
            JsonSyntax? paths = root.Get("paths");
            if (paths != null && paths.IsObject)
            {
                foreach (JsonMember path in paths.Members)
                {
                    if (!path.Value.IsObject)
                    {
                        continue;
                    }

                    foreach (string method in HttpMethods)
                    {
                        JsonSyntax? operation = path.Value.Get(method);
                        if (operation == null || !operation.IsObject)
                        {
                            continue;
                        }

                        string? operationId = operation.GetString("operationId");
                        EquatableArray<ParameterSpec> parameters = Parameters(root, path.Name, path.Value.Get("parameters"), operation.Get("parameters"));
                        string pointer = "#/paths/" + RefResolver.Escape(path.Name) + "/" + method;
                        JsonSyntax? requestSchema = operation.Get("requestBody")?.Get("content")?.Get("application/json")?.Get("schema");
                        string? requestType = null;
                        if (requestSchema != null)
                        {
                            string hint = Identifiers.OperationName(operationId, path.Name) + "Request";
                            mapper.ReserveName(requestSchema, hint, null);
                            TypeRef type = mapper.DeclareNamed(requestSchema, pointer + "/requestBody/content/application~1json/schema");
                            usages.Request(type);
                            requestType = type.Kind == ValueKind.Record ? type.Name : null;
                            if (rootType == null && requestType != null)
                            {
                                rootType = requestType;
                                rootNode = mapper.Graph.NodeOf(requestSchema, pointer + "/requestBody/content/application~1json/schema");
                            }
                        }

                        string? responseType = null;
                        JsonSyntax? responses = operation.Get("responses");
                        JsonSyntax? success = responses?.Get("200") ?? responses?.Get("201") ?? responses?.Get("202");
                        JsonSyntax? responseSchema = success?.Get("content")?.Get("application/json")?.Get("schema");
                        if (responseSchema != null)
                        {
                            string hint = Identifiers.OperationName(operationId, path.Name) + "Response";
                            mapper.ReserveName(responseSchema, hint, null);
                            TypeRef type = mapper.DeclareNamed(responseSchema, pointer + "/responses");
                            usages.Answer(type);
                            responseType = type.Kind == ValueKind.Record ? type.Name : null;
                        }

                        string methodName = Identifiers.OperationName(operationId, path.Name);
                        if (methodNames.Contains(methodName))
                        {
                            methodName = Identifiers.ToPascalCase(method) + methodName;
                        }

                        methodName = Identifiers.Unique(methodName, methodNames);
                        string? summary = operation.GetString("summary") ?? operation.GetString("description");
                        operations.Add(new OperationSpec(method.ToUpperInvariant(), path.Name, operationId, requestType, responseType, requestSchema != null, methodName, summary, parameters));
                    }
                }
            }

            ClientSpec client = ClientSpec.None;
            if (kind != DocumentKind.ReplicateModel && operations.Count > 0)
            {
                client = FalClient(root, provider, options, operations) ?? ApiframeClient(root, provider, options, operations) ?? Client(ClientKind.OpenApi, root, provider, options);
            }

            return Build(file, options, kind, provider, model, hintBase, rootType, rootNode, mapper, usages, operations.ToEquatableArray(), client, diagnostics);
        }

        /// <summary>
        /// A fal queue document (submit, status, result and cancel of one endpoint) gets fal's client; anything else
        /// from fal gets the per-operation client.
        /// </summary>
        private static ClientSpec? FalClient(JsonSyntax root, string provider, GeneratorOptions options, List<OperationSpec> operations)
        {
            if (!string.Equals(provider, ProviderProfiles.Fal.Name, StringComparison.OrdinalIgnoreCase) && root.Get("info")?.Get("x-fal-metadata") == null)
            {
                return null;
            }

            OperationSpec? submit = null, status = null, result = null, cancel = null;
            foreach (OperationSpec operation in operations)
            {
                bool hasId = operation.Path.Contains("/requests/{request_id}");
                if (operation.Method == "POST" && operation.HasBody && operation.Path.IndexOf('{') < 0)
                {
                    submit = submit ?? operation;
                }
                else if (operation.Method == "GET" && hasId && operation.Path.EndsWith("/status", StringComparison.Ordinal))
                {
                    status = status ?? operation;
                }
                else if (operation.Method == "GET" && operation.Path.EndsWith("/requests/{request_id}", StringComparison.Ordinal))
                {
                    result = result ?? operation;
                }
                else if (operation.Method == "PUT" && hasId && operation.Path.EndsWith("/cancel", StringComparison.Ordinal))
                {
                    cancel = cancel ?? operation;
                }
            }

            if (submit == null || status == null || result == null)
            {
                return null;
            }

            return Client(ClientKind.FalQueue, root, provider, options) with
            {
                FalSubmit = submit.Path,
                FalStatus = status.Path,
                FalResult = result.Path,
                FalCancel = cancel?.Path,
                InputType = submit.RequestType,
                OutputType = result.ResponseType,
            };
        }

        /// <summary>
        /// apiframe's job protocol (a POST that answers a job, and a GET of the job by its id) gets the job client;
        /// anything else from apiframe gets the per-operation client.
        /// </summary>
        private static ClientSpec? ApiframeClient(JsonSyntax root, string provider, GeneratorOptions options, List<OperationSpec> operations)
        {
            if (!string.Equals(provider, ProviderProfiles.Apiframe.Name, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            OperationSpec? generate = null, job = null;
            foreach (OperationSpec operation in operations)
            {
                if (operation.Method == "POST" && operation.HasBody && operation.Path.IndexOf('{') < 0)
                {
                    generate = generate ?? operation;
                }
                else if (operation.Method == "GET" && operation.Path.IndexOf("/jobs/{", StringComparison.Ordinal) >= 0 && operation.Path.EndsWith("}", StringComparison.Ordinal)
                    && operation.Path.IndexOf('{') == operation.Path.LastIndexOf('{'))
                {
                    job = job ?? operation;
                }
            }

            if (generate == null || job == null)
            {
                return null;
            }

            return Client(ClientKind.ApiframeJobs, root, provider, options) with
            {
                InputType = generate.RequestType,
                JobSubmit = generate.Path,
                JobStatus = job.Path,
            };
        }

        /// <summary>
        /// Auth and base URLs: as the providers' documentation gives them for Oxen, fal and apiframe (the shared
        /// <see cref="ProviderProfiles"/>); otherwise from the document.
        /// </summary>
        private static ClientSpec Client(ClientKind kind, JsonSyntax root, string provider, GeneratorOptions options)
        {
            string? server = FirstServer(root);
            string context = options.RootNamespace + "." + GeneratedNames.JsonContextClass;
            ClientSpec Spec(string header, string? scheme, string variable, string? baseAddress, string? queueAddress) =>
                new ClientSpec(kind, string.Empty, context, header, scheme, variable, baseAddress, queueAddress, null, null, null, null, null, null);
            ProviderProfile? profile = ProviderProfiles.Find(provider);
            if (profile != null)
            {
                // A document's server is where its operations are served: fal's queue host, the others' base URL.
                return profile.QueueUrl != null
                    ? Spec(profile.AuthHeader, profile.AuthScheme, profile.KeyVariable, profile.BaseUrl, server ?? profile.QueueUrl)
                    : Spec(profile.AuthHeader, profile.AuthScheme, profile.KeyVariable, server ?? profile.BaseUrl, null);
            }

            string header = "Authorization";
            string? scheme = "Bearer";
            JsonSyntax? schemes = root.Get("components")?.Get("securitySchemes");
            if (schemes != null && schemes.IsObject)
            {
                foreach (JsonMember member in schemes.Members)
                {
                    string? type = member.Value.GetString("type");
                    if (type == "apiKey" && member.Value.GetString("in") == "header" && !string.IsNullOrEmpty(member.Value.GetString("name")))
                    {
                        header = member.Value.GetString("name")!;
                        scheme = null;
                        break;
                    }

                    if (type == "http" && string.Equals(member.Value.GetString("scheme"), "bearer", StringComparison.OrdinalIgnoreCase))
                    {
                        break;
                    }
                }
            }

            var variable = new System.Text.StringBuilder();
            foreach (char c in provider.ToUpperInvariant())
            {
                variable.Append(c < 128 && char.IsLetterOrDigit(c) ? c : '_');
            }

            return Spec(header, scheme, variable.Append("_API_KEY").ToString(), server, null);
        }

        private static string? FirstServer(JsonSyntax root)
        {
            JsonSyntax? servers = root.Get("servers");
            if (servers == null || servers.Kind != JsonKind.Array || servers.Items.Count == 0)
            {
                return null;
            }

            string? url = servers.Items[0].GetString("url");
            return url != null && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.Scheme == "https" || uri.Scheme == "http") ? url : null;
        }

        /// <summary>
        /// Path and query parameters (path-level, then operation-level overriding by name and place; local $refs
        /// resolved). Every {name} in the path becomes a parameter even when undeclared.
        /// </summary>
        private static EquatableArray<ParameterSpec> Parameters(JsonSyntax root, string path, JsonSyntax? pathLevel, JsonSyntax? operationLevel)
        {
            var declared = new List<JsonSyntax>();
            foreach (JsonSyntax? list in new[] { pathLevel, operationLevel })
            {
                if (list == null || list.Kind != JsonKind.Array)
                {
                    continue;
                }

                foreach (JsonSyntax item in list.Items)
                {
                    JsonSyntax? resolved = Resolve(root, item);
                    if (resolved != null && resolved.IsObject && resolved.GetString("name") is string name && resolved.GetString("in") is string place)
                    {
                        declared.RemoveAll(d => d.GetString("name") == name && d.GetString("in") == place);
                        declared.Add(resolved);
                    }
                }
            }

            var result = new List<ParameterSpec>();
            var names = new HashSet<string>(StringComparer.Ordinal) { "request", "cancellationToken", "path", "body" }; // the method's own parameters and locals
            int at = 0;
            while ((at = path.IndexOf('{', at)) >= 0)
            {
                int end = path.IndexOf('}', at);
                if (end < 0)
                {
                    break;
                }

                string name = path.Substring(at + 1, end - at - 1);
                JsonSyntax? node = declared.Find(d => d.GetString("name") == name && d.GetString("in") == "path");
                result.Add(new ParameterSpec(name, "path", true, Identifiers.ParameterName(name, names), ParameterType(node), node?.GetString("description")));
                at = end + 1;
            }

            foreach (JsonSyntax node in declared)
            {
                if (node.GetString("in") != "query")
                {
                    continue; // header and cookie parameters are left to the HttpClient's handlers
                }

                string name = node.GetString("name")!;
                bool required = node.Get("required")?.Kind == JsonKind.True;
                result.Add(new ParameterSpec(name, "query", required, Identifiers.ParameterName(name, names), ParameterType(node), node.GetString("description")));
            }

            // Required parameters first, so optional ones can default to null.
            var ordered = new List<ParameterSpec>(result.Count);
            ordered.AddRange(result.FindAll(p => p.Required));
            ordered.AddRange(result.FindAll(p => !p.Required));
            return ordered.ToEquatableArray();
        }

        private static JsonSyntax? Resolve(JsonSyntax root, JsonSyntax node)
        {
            for (int depth = 0; depth < 8 && node.IsObject && node.GetString("$ref") is string reference; depth++)
            {
                if (!reference.StartsWith("#/", StringComparison.Ordinal))
                {
                    return null;
                }

                JsonSyntax? target = root;
                foreach (string segment in reference.Substring(2).Split('/'))
                {
                    target = target?.Get(segment.Replace("~1", "/").Replace("~0", "~"));
                }

                if (target == null)
                {
                    return null;
                }

                node = target;
            }

            return node;
        }

        private static string ParameterType(JsonSyntax? parameter)
        {
            JsonSyntax? schema = parameter?.Get("schema");
            string? type = schema?.GetString("type");
            switch (type)
            {
                case "integer": return "long";
                case "number": return "double";
                case "boolean": return "bool";
                default: return "string";
            }
        }

        private static ParsedDocument Build(SchemaFile file, GeneratorOptions options, DocumentKind kind, string provider, string model, string hintBase, string? rootType, int rootNode, TypeMapper mapper, TypeUsages usages, EquatableArray<OperationSpec> operations, ClientSpec client, List<DiagnosticInfo> diagnostics)
        {
            EquatableArray<SchemaNodeSpec> nodes = mapper.Graph.FinishNodes();
            List<TypeSpec> types = usages.Apply(mapper.Types);
            if (client.Kind == ClientKind.FalQueue)
            {
                // The queue's status and cancel answers are read by the runtime (FalQueueStatus, FalCancelResult);
                // the document's own types for them would only stand beside those, unused.
                types = ReachableFrom(types, client.InputType, client.OutputType);
            }

            string providerName = Identifiers.NamePart(provider, "Schemas");
            if (providerName == GeneratedNames.JsonContextClass)
            {
                // A namespace named like the JSON context class would clash with it in the root namespace.
                providerName += "Schemas";
            }

            string modelName = Identifiers.NamePart(ModelSegment(model), "Model");
            string ns = options.RootNamespace + "." + providerName + "." + modelName;
            if (client.Kind != ClientKind.None)
            {
                var taken = new HashSet<string>(GeneratedNames.DocumentClasses, StringComparer.Ordinal);
                foreach (TypeSpec type in types)
                {
                    taken.Add(type.Name);
                }

                // Named like its DI method: OxenFlux2FlexClient and AddOxenFlux2FlexClient.
                client = client with { ClassName = Identifiers.Unique(providerName + modelName + "Client", taken) };
            }

            var spec = new DocumentSpec(
                file.Path,
                hintBase,
                kind,
                provider,
                model,
                ns,
                providerName + modelName,
                rootType,
                rootNode,
                types.ToEquatableArray(),
                nodes,
                operations,
                client);
            return new ParsedDocument(spec, diagnostics.ToEquatableArray(), mapper.Locations.ToEquatableArray());
        }

        /// <summary>The types the given roots use, directly or through members, list items, map values and union branches; in their order.</summary>
        private static List<TypeSpec> ReachableFrom(List<TypeSpec> types, params string?[] roots)
        {
            var byName = new Dictionary<string, TypeSpec>(StringComparer.Ordinal);
            foreach (TypeSpec type in types)
            {
                byName[type.Name] = type;
            }

            var reached = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>();
            foreach (string? root in roots)
            {
                if (root != null)
                {
                    pending.Push(root);
                }
            }

            void Visit(TypeRef? type)
            {
                for (; type != null; type = type.Element)
                {
                    if (type.Kind == ValueKind.Record || type.Kind == ValueKind.Union || type.Kind == ValueKind.Enum || type.Kind == ValueKind.OpenEnum)
                    {
                        pending.Push(type.Name);
                    }
                }
            }

            while (pending.Count > 0)
            {
                string name = pending.Pop();
                if (!reached.Add(name) || !byName.TryGetValue(name, out TypeSpec? type))
                {
                    continue;
                }

                foreach (PropertySpec property in type.Properties)
                {
                    Visit(property.Type);
                }

                foreach (UnionBranchSpec branch in type.Branches)
                {
                    Visit(branch.Type);
                }
            }

            return types.FindAll(t => reached.Contains(t.Name));
        }

        private static string ModelSegment(string model) => model.StartsWith("fal-ai/", StringComparison.Ordinal) ? model.Substring("fal-ai/".Length) : model;

        /// <summary>The provider is the folder the file sits in: schemas/fal/x.json belongs to fal.</summary>
        private static string ProviderOf(string path)
        {
            string? directory = Path.GetDirectoryName(path);
            string name = directory != null ? Path.GetFileName(directory) : string.Empty;
            return name.Length > 0 ? name : "Schemas";
        }

        /// <summary>A hint name that is unique per file and does not depend on where the repository is cloned.</summary>
        private static string HintNameOf(string path, string? projectDirectory)
        {
            string normalized = path.Replace('\\', '/');
            if (projectDirectory != null)
            {
                string root = projectDirectory.Replace('\\', '/').TrimEnd('/') + "/";
                if (normalized.StartsWith(root, StringComparison.Ordinal))
                {
                    normalized = normalized.Substring(root.Length);
                }
            }

            string readable = Identifiers.ToPascalCase(ProviderOf(path)) + "." + Identifiers.ToPascalCase(Path.GetFileNameWithoutExtension(path));
            return readable + "." + Identifiers.StableHash(normalized);
        }
    }
}
