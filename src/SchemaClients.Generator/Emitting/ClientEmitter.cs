using System.Collections.Generic;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Naming;
using static SchemaClients.Generator.Emitting.Names;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>The client of a document: a thin class over the runtime's transports, and its DI extension.</summary>
    internal sealed class ClientEmitter
    {
        private readonly EmitContext _context;
        private readonly DocumentSpec _document;
        private readonly SourceWriter _w = new SourceWriter();

        private ClientEmitter(EmitContext context)
        {
            _context = context;
            _document = context.Document;
        }

        public static string Emit(EmitContext context)
        {
            var emitter = new ClientEmitter(context);
            emitter._w.Block(context.Header("client"));
            emitter._w.Line();
            emitter.EmitClient();
            return emitter._w.ToString();
        }

        private const string Core = "global::SchemaClients.Clients.ModelClientCore";
        private const string Task = "global::System.Threading.Tasks.Task";
        private const string Token = "global::System.Threading.CancellationToken";
        private const string TokenParameter = Token + " cancellationToken = default";
        private const string TokenDoc = "/// <param name=\"cancellationToken\">Cancels the call; it takes effect at once, retries included.</param>";
        private const string Progress = "global::System.IProgress<global::SchemaClients.Http.QueueProgress>";
        private const string OxenGeneration = "global::SchemaClients.Clients.OxenGeneration";
        private const string FalStatus = "global::SchemaClients.Clients.FalQueueStatus";
        private const string FalQueued = "global::SchemaClients.Clients.FalQueuedRequest";
        private const string ApiframeJob = "global::SchemaClients.Clients.ApiframeJob";
        private const string OxenQueueOptions = "global::SchemaClients.Clients.OxenQueueOptions";
        private const string OxenSubmission = "global::SchemaClients.Clients.OxenQueueSubmission";
        private const string ReadOnlyList = "global::System.Collections.Generic.IReadOnlyList";
        private const string HttpMethodType = "global::System.Net.Http.HttpMethod";
        private const string RequestInvalidDoc = "/// <exception cref=\"global::SchemaClients.Validation.SchemaValidationException\">The request breaks the schema; nothing was sent.</exception>";
        private const string InputInvalidDoc = "/// <exception cref=\"global::SchemaClients.Validation.SchemaValidationException\">The input breaks the schema; nothing was sent.</exception>";

        private ClientSpec Client => _document.Client;

        /// <summary>The configuration section of the provider for the docs; the code asks <c>SchemaClientOptionsBinder.SectionFor</c> at run time.</summary>
        private string ConfigurationSection
        {
            get
            {
                var name = new System.Text.StringBuilder("SchemaClients:");
                bool upper = true;
                foreach (char c in _document.Provider)
                {
                    if (!char.IsLetterOrDigit(c))
                    {
                        upper = true;
                        continue;
                    }

                    name.Append(upper ? char.ToUpperInvariant(c) : c);
                    upper = false;
                }

                return name.ToString();
            }
        }

        private string Full(string typeName) => "global::" + _document.Namespace + "." + typeName;

        /// <summary>The converter of a generated type: requests are written and answers read through it, without options or lookups.</summary>
        private string InfoOf(string typeName) => _context.ConverterInstance(typeName);

        private static string Xml(string text) => EmitContext.Xml(text);

        private static System.Collections.Generic.IEnumerable<string> DocLines(string text) => EmitContext.DocLines(text);

        private void EmitClient()
        {
            ClientSpec client = Client;
            string name = client.ClassName;
            string what = _document.ModelId + " on " + _document.Provider;
            _w.Line("/// <summary>");
            _w.Line("/// Calls " + Xml(what) + " (" + Xml(Describe(client.Kind)) + "). Requests are validated against the schema before they are");
            _w.Line("/// sent (see <see cref=\"global::SchemaClients.SchemaClientOptions.ValidateBeforeSend\"/>); the key comes from the options or " + Xml(client.AuthVariable) + ".");
            _w.Line("/// </summary>");
            _w.Line(GeneratedCode);
            _w.Open("public sealed partial class " + name);
            _w.Line("private readonly " + Core + " _core;");
            switch (client.Kind)
            {
                case ClientKind.Oxen: _w.Line("private readonly global::SchemaClients.Clients.OxenTransport _transport;"); break;
                case ClientKind.FalQueue: _w.Line("private readonly global::SchemaClients.Clients.FalQueueTransport _transport;"); break;
                case ClientKind.ApiframeJobs: _w.Line("private readonly global::SchemaClients.Clients.ApiframeTransport _transport;"); break;
            }

            _w.Line();
            _w.Line("/// <summary>Creates the client. In apps, prefer <c>services.Add" + _document.ClassPrefix + "Client(...)</c>, which uses IHttpClientFactory.</summary>");
            _w.Line("/// <param name=\"http\">The HttpClient to send with; URLs come from <paramref name=\"options\"/>, not its BaseAddress.</param>");
            _w.Line("/// <param name=\"options\">Base URL, key, validation, retries; null for the defaults (key from " + Xml(client.AuthVariable) + ").</param>");
            _w.Line("/// <param name=\"logger\">Where calls are logged; the key never is.</param>");
            _w.Line("/// <exception cref=\"global::System.InvalidOperationException\">No key in the options or the environment.</exception>");
            _w.Open("public " + name + "(global::System.Net.Http.HttpClient http, global::SchemaClients.SchemaClientOptions? options = null, global::Microsoft.Extensions.Logging.ILogger? logger = null)");
            _w.Line("_core = new " + Core + "(http, options ?? new global::SchemaClients.SchemaClientOptions(), Description, logger);");
            switch (client.Kind)
            {
                case ClientKind.Oxen:
                    _w.Line("_transport = new global::SchemaClients.Clients.OxenTransport(_core);");
                    break;
                case ClientKind.FalQueue:
                    _w.Line("_transport = new global::SchemaClients.Clients.FalQueueTransport(_core, " + Literal(client.FalSubmit!) + ", " + Literal(client.FalStatus!) + ", " + Literal(client.FalResult!) + ", " + (client.FalCancel != null ? Literal(client.FalCancel) : "null") + ");");
                    break;
                case ClientKind.ApiframeJobs:
                    _w.Line("_transport = new global::SchemaClients.Clients.ApiframeTransport(_core, " + Literal(client.JobSubmit!) + ", " + Literal(client.JobStatus!) + ");");
                    break;
            }

            _w.Close();
            _w.Line();
            _w.Line("/// <summary>The model id, as the provider names it.</summary>");
            _w.Line("public const string ModelId = " + Literal(_document.ModelId) + ";");
            _w.Line();
            _w.Line("/// <summary>The provider, model, auth (" + Xml(client.AuthHeader + (client.AuthScheme != null ? ": " + client.AuthScheme + " $" : ": $") + client.AuthVariable) + ") and documented base URLs.</summary>");
            _w.Line("public static global::SchemaClients.Clients.ClientDescription Description { get; } = new global::SchemaClients.Clients.ClientDescription(");
            _w.Line("    " + Literal(_document.Provider) + ",");
            _w.Line("    ModelId,");
            _w.Line("    new global::SchemaClients.Http.ProviderAuth(" + Literal(client.AuthHeader) + ", " + (client.AuthScheme != null ? Literal(client.AuthScheme) : "null") + ", " + Literal(client.AuthVariable) + "),");
            _w.Line("    " + UriLiteral(client.BaseAddress) + ",");
            _w.Line("    " + UriLiteral(client.QueueBaseAddress) + ");");
            _w.Line();
            _w.Line("/// <summary>The base URL this client calls.</summary>");
            _w.Line("public global::System.Uri BaseAddress => _core.BaseAddress;");
            switch (client.Kind)
            {
                case ClientKind.Oxen: EmitOxenMethods(); break;
                case ClientKind.FalQueue: EmitFalMethods(); break;
                case ClientKind.ApiframeJobs: EmitApiframeMethods(); break;
                default: EmitOperationMethods(); break;
            }

            EmitDownloads();
            _w.Close();
            _w.Line();
            EmitServiceExtension();
        }

        private static string Describe(ClientKind kind)
        {
            switch (kind)
            {
                case ClientKind.Oxen: return "sync edit, queue, event stream and model object";
                case ClientKind.FalQueue: return "sync run and queue";
                case ClientKind.ApiframeJobs: return "jobs: generate, then poll the job";
                default: return "a method per operation of the document";
            }
        }

        private static string UriLiteral(string? url) => url == null ? "null" : "new global::System.Uri(" + Literal(url) + ")";

        private string RequestType => Client.InputType != null ? Full(Client.InputType) : Element;

        private string BodyExpression(string? typeName, string variable, string extra = "")
            => typeName == null ? "_core.SerializeJson(" + variable + ")"
                : CarriesImages(typeName) ? "await _core.SerializeAsync(" + variable + ", " + InfoOf(typeName) + extra + ", cancellationToken).ConfigureAwait(false)"
                : "_core.Serialize(" + variable + ", " + InfoOf(typeName) + extra + ")";

        /// <summary>
        /// Writes a method that sends a serialized request. When the request carries image inputs, serializing resolves them
        /// (uploads, checks) asynchronously first, so the method is async and awaits its call.
        /// </summary>
        private void EmitSend(string signature, string call)
        {
            if (call.Contains("await "))
            {
                _w.Line(signature.Replace("public ", "public async "));
                _w.Line("    => await " + call.TrimEnd(';') + ".ConfigureAwait(false);");
            }
            else
            {
                _w.Line(signature);
                _w.Line("    => " + call);
            }
        }

        /// <summary>Whether a type holds an image input anywhere in it (properties, list items, union branches).</summary>
        private bool CarriesImages(string typeName)
        {
            if (_carriesImages.TryGetValue(typeName, out bool known))
            {
                return known;
            }

            bool found = FindImages(typeName);
            _carriesImages[typeName] = found;
            return found;
        }

        private readonly Dictionary<string, bool> _carriesImages = new Dictionary<string, bool>(System.StringComparer.Ordinal);

        private bool FindImages(string typeName)
        {
            var byName = new Dictionary<string, TypeSpec>(System.StringComparer.Ordinal);
            foreach (TypeSpec type in _document.Types)
            {
                byName[type.Name] = type;
            }

            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            var pending = new Stack<TypeRef>();
            if (byName.TryGetValue(typeName, out TypeSpec? root))
            {
                seen.Add(typeName);
                Push(root, pending);
            }

            while (pending.Count > 0)
            {
                TypeRef type = pending.Pop();
                if (type.Kind == ValueKind.Image)
                {
                    return true;
                }

                if (type.Element != null)
                {
                    pending.Push(type.Element);
                }

                if (seen.Add(type.Name) && byName.TryGetValue(type.Name, out TypeSpec? spec))
                {
                    Push(spec, pending);
                }
            }

            return false;
        }

        private static void Push(TypeSpec type, Stack<TypeRef> pending)
        {
            foreach (PropertySpec property in type.Properties)
            {
                pending.Push(property.Type);
            }

            foreach (UnionBranchSpec branch in type.Branches)
            {
                pending.Push(branch.Type);
            }
        }

        private void EmitOxenMethods()
        {
            string request = RequestType;
            string members = ", global::SchemaClients.Clients.OxenTransport.ModelMember(ModelId), global::SchemaClients.Clients.OxenTransport.QueueMembers(queue)";
            string body = Client.InputType == null ? "_core.SerializeJson(request)"
                : CarriesImages(Client.InputType) ? "await _core.SerializeWithAsync(request, " + InfoOf(Client.InputType) + members + ", cancellationToken).ConfigureAwait(false)"
                : "_core.SerializeWith(request, " + InfoOf(Client.InputType) + members + ")";
            string syncBody = body.Replace("QueueMembers(queue)", "QueueMembers(null)");
            const string ProgressDoc = "/// <param name=\"progress\">Receives status changes; may be null.</param>";
            _w.Line();
            _w.Line("/// <summary>The sync call (<c>POST /api/ai/images/edit</c>) with <c>model</c> set to <see cref=\"ModelId\"/>. Oxen does not document the answer, so it stays JSON; <see cref=\"global::SchemaClients.Clients.ResultFiles.FindUrls\"/> finds its file URLs. Billed: never sent twice by a retry once it may have reached Oxen.</summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line(TokenDoc);
            _w.Line(RequestInvalidDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Http.ProviderApiException\">Oxen answered with an error.</exception>");
            EmitSend("public " + Task + "<" + Element + "> GenerateAsync(" + request + " request, " + TokenParameter + ")", "_transport.GenerateAsync(" + syncBody + ", cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>");
            _w.Line("/// Puts the request in Oxen's queue (<c>POST /api/ai/queue</c>) with <c>model</c> set to <see cref=\"ModelId\"/> and returns every");
            _w.Line("/// generation it started. Oxen checks model parameters only when a generation runs, so the validation here is the only early error.");
            _w.Line("/// Billed: never sent twice by a retry once it may have reached Oxen.");
            _w.Line("/// </summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line("/// <param name=\"queue\">The queue's own parameters (<c>num_generations</c> 1 to 4, <c>target_namespace</c>); null sends neither.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Validation.SchemaValidationException\">The request or the queue parameters break their rules; nothing was sent.</exception>");
            EmitSend("public " + Task + "<" + OxenSubmission + "> EnqueueAsync(" + request + " request, " + OxenQueueOptions + "? queue, " + TokenParameter + ")", "_transport.EnqueueAsync(" + body + ", cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Puts the request in Oxen's queue with the queue's defaults (one generation); see the overload with queue parameters.</summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line(TokenDoc);
            _w.Line(RequestInvalidDoc);
            _w.Line("public " + Task + "<" + OxenSubmission + "> EnqueueAsync(" + request + " request, " + TokenParameter + ")");
            _w.Line("    => EnqueueAsync(request, null, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Where a generation stands (<c>GET /api/ai/queue/{id}</c>).</summary>");
            _w.Line("/// <param name=\"generationId\">The generation id.</param>");
            _w.Line(TokenDoc);
            _w.Line("public " + Task + "<" + OxenGeneration + "> GetGenerationAsync(string generationId, " + TokenParameter + ")");
            _w.Line("    => _transport.GetGenerationAsync(generationId, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Polls until the generation is succeeded, failed or cancelled, reporting each change of status, and returns its last state.</summary>");
            _w.Line("/// <param name=\"generationId\">The generation id.</param>");
            _w.Line(ProgressDoc);
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::System.TimeoutException\">Not finished within the options' WaitTimeout.</exception>");
            _w.Line("public " + Task + "<" + OxenGeneration + "> WaitAsync(string generationId, " + Progress + "? progress = null, " + TokenParameter + ")");
            _w.Line("    => _transport.WaitAsync(generationId, progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Polls several generations (one enqueue with <c>num_generations</c>) until every one is final; returns them in the order given.</summary>");
            _w.Line("/// <param name=\"generationIds\">The generation ids.</param>");
            _w.Line("/// <param name=\"progress\">Receives status changes, each with its generation's id; may be null.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::System.TimeoutException\">Not all finished within the options' WaitTimeout.</exception>");
            _w.Line("public " + Task + "<" + ReadOnlyList + "<" + OxenGeneration + ">> WaitAllAsync(" + ReadOnlyList + "<string> generationIds, " + Progress + "? progress = null, " + TokenParameter + ")");
            _w.Line("    => _transport.WaitAllAsync(generationIds, progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Enqueues the request and waits for it; returns the succeeded generation (with its result URL).</summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line(ProgressDoc);
            _w.Line(TokenDoc);
            _w.Line(RequestInvalidDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Clients.QueueJobFailedException\">The generation failed or was cancelled.</exception>");
            EmitSend("public " + Task + "<" + OxenGeneration + "> EnqueueAndWaitAsync(" + request + " request, " + Progress + "? progress = null, " + TokenParameter + ")", "_transport.EnqueueAndWaitAsync(" + syncBody + ", progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Enqueues the request with the queue's parameters and waits for every generation it started; returns them all, succeeded or not (check <see cref=\"" + OxenGeneration + ".Succeeded\"/>), so no finished result is lost to one failure.</summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line("/// <param name=\"queue\">The queue's own parameters, for example <c>NumGenerations = 4</c>.</param>");
            _w.Line("/// <param name=\"progress\">Receives status changes, each with its generation's id; may be null.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Validation.SchemaValidationException\">The request or the queue parameters break their rules; nothing was sent.</exception>");
            EmitSend("public " + Task + "<" + ReadOnlyList + "<" + OxenGeneration + ">> EnqueueAndWaitAllAsync(" + request + " request, " + OxenQueueOptions + "? queue, " + Progress + "? progress = null, " + TokenParameter + ")", "_transport.EnqueueAndWaitAllAsync(" + body + ", progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Every generation Oxen's event stream (<c>GET /api/events</c>) announces as completed, as it comes; the stream reconnects when a connection ends. An event may carry only the generation id (then read the generation for its result).</summary>");
            _w.Line(TokenDoc);
            _w.Line("public global::System.Collections.Generic.IAsyncEnumerable<" + OxenGeneration + "> StreamCompletionsAsync(" + TokenParameter + ")");
            _w.Line("    => _transport.StreamCompletionsAsync(cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Waits for one generation by its completion event; an event with only the id ends the wait, and the result URL is then read from the generation.</summary>");
            _w.Line("/// <param name=\"generationId\">The generation id.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::System.IO.EndOfStreamException\">The stream kept ending before the event.</exception>");
            _w.Line("public " + Task + "<" + OxenGeneration + "> WaitForCompletionEventAsync(string generationId, " + TokenParameter + ")");
            _w.Line("    => _transport.WaitForCompletionEventAsync(generationId, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>The model object (<c>GET /api/ai/models/{id}</c>) with its <c>json_request_schema</c>.</summary>");
            _w.Line(TokenDoc);
            _w.Line("public " + Task + "<" + Element + "> GetModelAsync(" + TokenParameter + ")");
            _w.Line("    => _transport.GetModelAsync(ModelId, cancellationToken);");
        }

        private void EmitFalMethods()
        {
            string request = RequestType;
            string body = BodyExpression(Client.InputType, "input");
            string output = Client.OutputType != null ? Full(Client.OutputType) : Element;
            string outputInfo = Client.OutputType != null ? InfoOf(Client.OutputType) : null!;
            const string QueuedDoc = "/// <param name=\"request\">The request as <c>SubmitAsync</c> returned it (its URLs are used), or its id (a string converts).</param>";
            _w.Line();
            _w.Line("/// <summary>Runs the model and waits for its output in the same call (the sync endpoint on the base URL). Billed: never sent twice by a retry once it may have reached fal.</summary>");
            _w.Line("/// <param name=\"input\">The input.</param>");
            _w.Line(TokenDoc);
            _w.Line(InputInvalidDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Http.ProviderApiException\">fal answered with an error.</exception>");
            EmitSend("public " + Task + "<" + output + "> RunAsync(" + request + " input, " + TokenParameter + ")", Client.OutputType != null
                ? "_transport.RunAsync(" + body + ", " + outputInfo + ", cancellationToken);"
                : "_transport.RunJsonAsync(" + body + ", cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Puts the input in the queue; the answer has the request id, and the URLs and queue position when fal sends them. Billed: never sent twice by a retry once it may have reached fal.</summary>");
            _w.Line("/// <param name=\"input\">The input.</param>");
            _w.Line("/// <param name=\"webhook\">Where fal POSTs the outcome when the request ends (<c>fal_webhook</c>); null for none.</param>");
            _w.Line(TokenDoc);
            _w.Line(InputInvalidDoc);
            EmitSend("public " + Task + "<" + FalQueued + "> SubmitAsync(" + request + " input, global::System.Uri? webhook, " + TokenParameter + ")", "_transport.SubmitAsync(" + body + ", webhook, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Puts the input in the queue, without a webhook; see the overload with one.</summary>");
            _w.Line("/// <param name=\"input\">The input.</param>");
            _w.Line(TokenDoc);
            _w.Line(InputInvalidDoc);
            _w.Line("public " + Task + "<" + FalQueued + "> SubmitAsync(" + request + " input, " + TokenParameter + ")");
            _w.Line("    => SubmitAsync(input, null, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Where a queued request stands: status, queue position and, with <paramref name=\"logs\"/>, its log lines.</summary>");
            _w.Line(QueuedDoc);
            _w.Line("/// <param name=\"logs\">Whether to ask for the log lines.</param>");
            _w.Line(TokenDoc);
            _w.Line("public " + Task + "<" + FalStatus + "> GetStatusAsync(" + FalQueued + " request, bool logs = false, " + TokenParameter + ")");
            _w.Line("    => _transport.GetStatusAsync(request, logs, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>The request's status as a server-sent event stream (<c>/status/stream</c>): one status per change, ending with COMPLETED.</summary>");
            _w.Line(QueuedDoc);
            _w.Line("/// <param name=\"logs\">Whether to ask for the log lines.</param>");
            _w.Line(TokenDoc);
            _w.Line("public global::System.Collections.Generic.IAsyncEnumerable<" + FalStatus + "> StreamStatusAsync(" + FalQueued + " request, bool logs = true, " + TokenParameter + ")");
            _w.Line("    => _transport.StreamStatusAsync(request, logs, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>The output of a completed request.</summary>");
            _w.Line(QueuedDoc);
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Http.ProviderApiException\">The request is not completed, failed or is unknown.</exception>");
            _w.Line("public " + Task + "<" + output + "> GetResultAsync(" + FalQueued + " request, " + TokenParameter + ")");
            _w.Line(Client.OutputType != null
                ? "    => _transport.GetResultAsync(request, " + outputInfo + ", cancellationToken);"
                : "    => _transport.GetResultJsonAsync(request, cancellationToken);");
            if (Client.FalCancel != null)
            {
                _w.Line();
                _w.Line("/// <summary>Asks fal to cancel a queued or running request. Every documented answer is a result, \"too late\" included (<see cref=\"global::SchemaClients.Clients.FalCancelOutcome.AlreadyCompleted\"/>).</summary>");
                _w.Line(QueuedDoc);
                _w.Line(TokenDoc);
                _w.Line("public " + Task + "<global::SchemaClients.Clients.FalCancelResult> CancelAsync(" + FalQueued + " request, " + TokenParameter + ")");
                _w.Line("    => _transport.CancelAsync(request, cancellationToken);");
            }

            _w.Line();
            _w.Line("/// <summary>Polls until the request is completed, reporting status, queue position and the latest log line as they change.</summary>");
            _w.Line(QueuedDoc);
            _w.Line("/// <param name=\"progress\">Receives the changes; may be null.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::System.TimeoutException\">Not completed within the options' WaitTimeout.</exception>");
            _w.Line("public " + Task + "<" + FalStatus + "> WaitAsync(" + FalQueued + " request, " + Progress + "? progress = null, " + TokenParameter + ")");
            _w.Line("    => _transport.WaitAsync(request, progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Submits the input, waits for it with progress, and returns its output.</summary>");
            _w.Line("/// <param name=\"input\">The input.</param>");
            _w.Line("/// <param name=\"progress\">Receives status, queue position and log lines; may be null.</param>");
            _w.Line(TokenDoc);
            _w.Line(InputInvalidDoc);
            if (Client.OutputType != null)
            {
                EmitSend("public " + Task + "<" + output + "> SubmitAndWaitAsync(" + request + " input, " + Progress + "? progress = null, " + TokenParameter + ")", "_transport.SubmitAndWaitAsync(" + body + ", " + InfoOf(Client.OutputType) + ", progress, cancellationToken);");
            }
            else
            {
                _w.Open("public async " + Task + "<" + output + "> SubmitAndWaitAsync(" + request + " input, " + Progress + "? progress = null, " + TokenParameter + ")");
                _w.Line(FalQueued + " submitted = await SubmitAsync(input, null, cancellationToken).ConfigureAwait(false);");
                _w.Line("await WaitAsync(submitted, progress, cancellationToken).ConfigureAwait(false);");
                _w.Line("return await GetResultAsync(submitted, cancellationToken).ConfigureAwait(false);");
                _w.Close();
            }
        }

        private void EmitApiframeMethods()
        {
            string request = RequestType;
            string body = BodyExpression(Client.InputType, "request");
            const string ProgressDoc = "/// <param name=\"progress\">Receives status and progress percentage as they change; may be null.</param>";
            _w.Line();
            _w.Line("/// <summary>");
            _w.Line("/// Starts a job (<c>POST " + Xml(Client.JobSubmit!) + "</c>); apiframe answers at once (202) with the job, usually QUEUED. The image");
            _w.Line("/// comes with the job later (<see cref=\"WaitAsync\"/>). Sent with an <c>Idempotency-Key</c>, the same on every retry, so a retry never");
            _w.Line("/// starts a second job.");
            _w.Line("/// </summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line("/// <param name=\"idempotencyKey\">The <c>Idempotency-Key</c> to send; null for a new GUID. Pass your own to make a repeat of the same logical call (after a restart, say) start no second job.</param>");
            _w.Line(TokenDoc);
            _w.Line(RequestInvalidDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Http.ProviderApiException\">apiframe answered with an error.</exception>");
            EmitSend("public " + Task + "<" + ApiframeJob + "> GenerateAsync(" + request + " request, string? idempotencyKey, " + TokenParameter + ")", "_transport.GenerateAsync(" + body + ", idempotencyKey, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Starts a job with a new <c>Idempotency-Key</c>; see the overload that takes one.</summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line(TokenDoc);
            _w.Line(RequestInvalidDoc);
            _w.Line("public " + Task + "<" + ApiframeJob + "> GenerateAsync(" + request + " request, " + TokenParameter + ")");
            _w.Line("    => GenerateAsync(request, null, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Reads a job (<c>GET " + Xml(Client.JobStatus!) + "</c>): status, progress, result, error.</summary>");
            _w.Line("/// <param name=\"jobId\">The job id.</param>");
            _w.Line(TokenDoc);
            _w.Line("public " + Task + "<" + ApiframeJob + "> GetJobAsync(string jobId, " + TokenParameter + ")");
            _w.Line("    => _transport.GetJobAsync(jobId, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Polls the job until it is COMPLETED or FAILED (every 2 s unless the options say otherwise, as apiframe advises), and returns its last state.</summary>");
            _w.Line("/// <param name=\"jobId\">The job id.</param>");
            _w.Line(ProgressDoc);
            _w.Line(TokenDoc);
            _w.Line("/// <exception cref=\"global::System.TimeoutException\">Not finished within the options' WaitTimeout.</exception>");
            _w.Line("public " + Task + "<" + ApiframeJob + "> WaitAsync(string jobId, " + Progress + "? progress = null, " + TokenParameter + ")");
            _w.Line("    => _transport.WaitAsync(jobId, progress, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Starts a job and waits for it; returns the completed job, whose <see cref=\"" + ApiframeJob + ".ResultUrls\"/> are the images.</summary>");
            _w.Line("/// <param name=\"request\">The request.</param>");
            _w.Line(ProgressDoc);
            _w.Line(TokenDoc);
            _w.Line(RequestInvalidDoc);
            _w.Line("/// <exception cref=\"global::SchemaClients.Clients.QueueJobFailedException\">The job ended FAILED; the message carries apiframe's error.</exception>");
            EmitSend("public " + Task + "<" + ApiframeJob + "> GenerateAndWaitAsync(" + request + " request, " + Progress + "? progress = null, " + TokenParameter + ")", "_transport.GenerateAndWaitAsync(" + body + ", null, progress, cancellationToken);");
        }

        private void EmitOperationMethods()
        {
            foreach (OperationSpec operation in _document.Operations)
            {
                string response = operation.ResponseType != null ? Full(operation.ResponseType) : Element;
                var parameters = new List<string>();
                _w.Line();
                _w.Line("/// <summary>");
                _w.Line("/// <c>" + Xml(operation.Method + " " + operation.Path) + "</c>" + (string.IsNullOrWhiteSpace(operation.Summary) ? "." : ":"));
                if (!string.IsNullOrWhiteSpace(operation.Summary))
                {
                    foreach (string line in DocLines(operation.Summary!))
                    {
                        _w.Line("/// " + line);
                    }
                }

                _w.Line("/// </summary>");
                foreach (ParameterSpec parameter in operation.Parameters)
                {
                    if (parameter.Required)
                    {
                        parameters.Add(parameter.CsType + " " + parameter.CsName);
                        _w.Line("/// <param name=\"" + Identifiers.WithoutVerbatim(parameter.CsName) + "\">" + Xml(ParameterDoc(parameter)) + "</param>");
                    }
                }

                if (operation.HasBody)
                {
                    parameters.Add((operation.RequestType != null ? Full(operation.RequestType) : Element) + " request");
                    _w.Line("/// <param name=\"request\">The request body.</param>");
                }

                foreach (ParameterSpec parameter in operation.Parameters)
                {
                    if (!parameter.Required)
                    {
                        parameters.Add(parameter.CsType + "? " + parameter.CsName + " = null");
                        _w.Line("/// <param name=\"" + Identifiers.WithoutVerbatim(parameter.CsName) + "\">" + Xml(ParameterDoc(parameter)) + " Left out when null.</param>");
                    }
                }

                parameters.Add(TokenParameter);
                _w.Line(TokenDoc);
                if (operation.RequestType != null)
                {
                    _w.Line(RequestInvalidDoc);
                }

                _w.Line("/// <exception cref=\"global::SchemaClients.Http.ProviderApiException\">The provider answered with an error.</exception>");
                string bodyExpression = operation.HasBody ? BodyExpression(operation.RequestType, "request") : "null";
                bool resolvesImages = bodyExpression.StartsWith("await ", System.StringComparison.Ordinal);
                _w.Open("public " + (resolvesImages ? "async " : string.Empty) + Task + "<" + response + "> " + operation.MethodName + "Async(" + string.Join(", ", parameters) + ")");
                _w.Line("string path = " + Literal(operation.Path) + ";");
                foreach (ParameterSpec parameter in operation.Parameters)
                {
                    string value = parameter.CsType == "string" ? parameter.CsName : Core + ".QueryValue(" + parameter.CsName + ")";
                    if (parameter.In == "path")
                    {
                        _w.Line("path = " + Core + ".Expand(path, " + Literal(parameter.Name) + ", " + value + (parameter.CsType == "string" ? string.Empty : "!") + ");");
                    }
                    else
                    {
                        _w.Line("path = " + Core + ".Query(path, " + Literal(parameter.Name) + ", " + value + ");");
                    }
                }

                _w.Line("byte[]? body = " + bodyExpression + ";");
                string method = HttpMethodType + "." + char.ToUpperInvariant(operation.Method[0]) + operation.Method.Substring(1).ToLowerInvariant();
                string send = operation.ResponseType != null
                    ? "_core.SendAsync(" + method + ", path, false, body, " + InfoOf(operation.ResponseType) + ", cancellationToken)"
                    : "_core.SendForJsonAsync(" + method + ", path, false, body, cancellationToken)";
                _w.Line(resolvesImages ? "return await " + send + ".ConfigureAwait(false);" : "return " + send + ";");
                _w.Close();
            }
        }

        private static string ParameterDoc(ParameterSpec parameter)
            => string.IsNullOrWhiteSpace(parameter.Summary) ? "The " + parameter.In + " parameter " + parameter.Name + "." : parameter.Summary!.Replace('\n', ' ').Replace('\r', ' ');

        private void EmitDownloads()
        {
            _w.Line();
            _w.Line("/// <summary>Downloads a result file (an image URL from an answer) into a stream. No key is sent: result URLs are signed or public.</summary>");
            _w.Line("/// <param name=\"url\">The file URL.</param>");
            _w.Line("/// <param name=\"destination\">Where the bytes go.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <returns>The bytes written, or -1 when the stream cannot tell.</returns>");
            _w.Line("public " + Task + "<long> DownloadAsync(global::System.Uri url, global::System.IO.Stream destination, " + TokenParameter + ")");
            _w.Line("    => _core.DownloadAsync(url, destination, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Downloads a result file to a path; the file appears only when complete, so a failure leaves no partial file and an existing file untouched.</summary>");
            _w.Line("/// <param name=\"url\">The file URL.</param>");
            _w.Line("/// <param name=\"path\">The file to write.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <returns>The bytes written.</returns>");
            _w.Line("public " + Task + "<long> DownloadToFileAsync(global::System.Uri url, string path, " + TokenParameter + ")");
            _w.Line("    => _core.DownloadToFileAsync(url, path, cancellationToken);");
            _w.Line();
            _w.Line("/// <summary>Saves a result file as the answer gives it: a data URI (fal's <c>sync_mode</c>) is decoded with no request, a URL is downloaded with no key; the extension follows the content type, and the file appears only when complete.</summary>");
            _w.Line("/// <param name=\"fileUrl\">The URL or data URI from the answer.</param>");
            _w.Line("/// <param name=\"path\">The file to write; its extension follows <paramref name=\"contentType\"/> (or the data URI's type) when known.</param>");
            _w.Line("/// <param name=\"contentType\">The content type the answer gives for the file; null when it gives none.</param>");
            _w.Line(TokenDoc);
            _w.Line("/// <returns>Where the file went, its size and type.</returns>");
            _w.Line("public " + Task + "<global::SchemaClients.Clients.SavedFile> SaveAsync(string fileUrl, string path, string? contentType = null, " + TokenParameter + ")");
            _w.Line("    => _core.SaveAsync(fileUrl, path, contentType, cancellationToken);");
        }

        private void EmitServiceExtension()
        {
            string name = Client.ClassName;
            _w.Line("/// <summary>Registers <see cref=\"" + name + "\"/> with dependency injection.</summary>");
            _w.Line(GeneratedCode);
            _w.Open("public static class " + name + "ServiceCollectionExtensions");
            _w.Line("/// <summary>");
            _w.Line("/// Registers <see cref=\"" + name + "\"/> as a transient service over IHttpClientFactory, with named");
            _w.Line("/// <see cref=\"global::SchemaClients.SchemaClientOptions\"/> (name: the client's full type name), bound first from the container's");
            _w.Line("/// configuration section <c>" + Xml(ConfigurationSection) + "</c> when there is one (so <c>" + Xml(ConfigurationSection.Replace(":", "__")) + "__BaseAddress</c> in the environment works).");
            _w.Line("/// </summary>");
            _w.Line("/// <param name=\"services\">The service collection.</param>");
            _w.Line("/// <param name=\"configure\">Sets base URL, key, validation and retries after the configuration is bound; may be null (the key then comes from the configuration or " + Xml(Client.AuthVariable) + ").</param>");
            _w.Line("/// <returns>The HttpClient builder, to add handlers.</returns>");
            _w.Line("public static global::Microsoft.Extensions.DependencyInjection.IHttpClientBuilder Add" + _document.ClassPrefix + "Client(this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services, global::System.Action<global::SchemaClients.SchemaClientOptions>? configure = null)");
            _w.Line("    => global::SchemaClients.Clients.SchemaClientServiceCollectionExtensions.AddSchemaClient(services, typeof(" + name + ").FullName!, global::SchemaClients.SchemaClientOptionsBinder.SectionFor(" + name + ".Description.Provider), configure, static (http, options, logger) => new " + name + "(http, options, logger));");
            _w.Close();
        }
    }
}
