using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using SchemaClients.Generator.Model;
using SchemaClients.Shared.Validation;
using static SchemaClients.Generator.Emitting.Names;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>
    /// Emits one document as a file per concern: its types, their JSON converters, its schema graph (the table every
    /// validation walks) and its client. What is the same for every document lives in the runtime; these files carry
    /// only what is particular to the schema.
    /// </summary>
    internal static class DocumentEmitter
    {
        public static List<GeneratedSource> Emit(DocumentSpec document, CancellationToken cancellationToken)
        {
            var context = new EmitContext(document);
            var sources = new List<GeneratedSource>(4);
            if (document.Types.Count > 0)
            {
                sources.Add(new GeneratedSource(document.HintName + ".Types.g.cs", TypesEmitter.Emit(context)));
                cancellationToken.ThrowIfCancellationRequested();
                sources.Add(new GeneratedSource(document.HintName + ".Json.g.cs", ConvertersEmitter.Emit(context)));
                cancellationToken.ThrowIfCancellationRequested();
            }

            sources.Add(new GeneratedSource(document.HintName + ".Schema.g.cs", SchemaEmitter.Emit(context)));
            if (document.Client.Kind != ClientKind.None)
            {
                cancellationToken.ThrowIfCancellationRequested();
                sources.Add(new GeneratedSource(document.HintName + ".Client.g.cs", ClientEmitter.Emit(context)));
            }

            // Every emitter writes global:: names; each file then reads as a person would write it.
            var declared = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (GeneratedSource source in sources)
            {
                Imports.AddDeclarations(source.Text, declared);
            }

            for (int i = 0; i < sources.Count; i++)
            {
                sources[i] = new GeneratedSource(sources[i].HintName, Imports.Shorten(sources[i].Text, declared));
            }

            return sources;
        }
    }

    /// <summary>What every emitter of a document shares: the spec, the names of generated members, the node constants.</summary>
    internal sealed class EmitContext
    {
        private readonly Dictionary<string, TypeSpec> _types = new Dictionary<string, TypeSpec>(System.StringComparer.Ordinal);
        private readonly Dictionary<string, string> _converters = new Dictionary<string, string>(System.StringComparer.Ordinal);
        private readonly Dictionary<int, string> _nodeNames = new Dictionary<int, string>();
        private readonly HashSet<string> _takenNodeNames = new HashSet<string>(System.StringComparer.Ordinal);

        public EmitContext(DocumentSpec document)
        {
            Document = document;
            var taken = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (TypeSpec type in document.Types)
            {
                _types[type.Name] = type;
                taken.Add(type.Name);
            }

            foreach (TypeSpec type in document.Types)
            {
                _converters[type.Name] = Parsing.Naming.Unique(type.Name + "Converter", taken);
            }
        }

        public DocumentSpec Document { get; }

        public string Namespace => "global::" + Document.Namespace;

        /// <summary>The fully qualified name of a generated type, for expressions where a member could shadow it.</summary>
        public string Full(string typeName) => Namespace + "." + typeName;

        public TypeSpec? Type(string name) => _types.TryGetValue(name, out TypeSpec? type) ? type : null;

        /// <summary>The converter of a generated type, as seen from inside <c>SchemaConverters</c>.</summary>
        public string ConverterName(string typeName) => _converters[typeName];

        /// <summary>The converter instance of a generated type, from anywhere in the document's namespace.</summary>
        public string ConverterInstance(string typeName) => Namespace + "." + ConverterClass + "." + _converters[typeName] + ".Instance";

        /// <summary>
        /// The <c>SchemaNodes</c> constant for a node, named after what it is (<c>Flux2FlexInput</c>,
        /// <c>Flux2FlexInput_NumInferenceSteps</c>); the first name a node is asked for sticks.
        /// </summary>
        public string Node(int id, string name)
        {
            if (!_nodeNames.TryGetValue(id, out string? constant))
            {
                constant = Parsing.Naming.Unique(name.TrimStart('@'), _takenNodeNames);
                _nodeNames[id] = constant;
            }

            return NodesClass + "." + constant;
        }

        /// <summary>The node constants asked for so far, by node id.</summary>
        public IReadOnlyDictionary<int, string> NodeNames => _nodeNames;

        public const string NodesClass = "SchemaNodes";

        /// <summary>The header every file of the document starts with.</summary>
        public string Header(string concern)
            => "// <auto-generated/>\n"
                + "// Generated by SchemaClients.Generator " + Version + " from " + Path.GetFileName(Document.FilePath) + " (" + Describe(Document.Kind)
                + ", provider '" + Document.Provider + "', model '" + Document.ModelId + "'): " + concern + ".\n"
                + "#nullable enable\n\n"
                + "namespace " + Document.Namespace + ";";

        private static string Describe(DocumentKind kind)
        {
            switch (kind)
            {
                case DocumentKind.OpenApi30: return "OpenAPI 3.0";
                case DocumentKind.OpenApi31: return "OpenAPI 3.1";
                case DocumentKind.OxenModel: return "Oxen model object";
                case DocumentKind.ReplicateModel: return "Replicate model object";
                case DocumentKind.JsonSchema: return "JSON Schema";
                default: return "unknown";
            }
        }

        // ------------------------------------------------------------------ what a typed value needs checked

        /// <summary>
        /// Whether a C# value of a JSON type can break a node: false when every rule of the node is kept by the C#
        /// type alone (a string property with no limits, a boolean), so <c>Validate()</c> need not look at it.
        /// </summary>
        public bool NeedsCheck(int id, int jsonType) => NeedsCheck(id, jsonType, 0);

        private bool NeedsCheck(int id, int jsonType, int depth)
        {
            EquatableArray<SchemaNodeSpec> nodes = Document.Nodes;
            if (id < 0 || id >= nodes.Count || depth > 16)
            {
                return id >= 0;
            }

            SchemaNodeSpec node = nodes[id];
            if (node.BooleanSchema == true)
            {
                return false;
            }

            if (node.BooleanSchema == false || node.HasEnum || node.ConstJson != null || node.Not >= 0 || node.OneOf.Count > 0)
            {
                return true;
            }

            if (node.TypeMask != 0 && (node.TypeMask & jsonType) != jsonType)
            {
                return true; // a double where the schema wants an integer, say
            }

            Constraints c = node.Constraints;
            bool limits = jsonType == TypeMask.String ? c.MinLength.HasValue || c.MaxLength.HasValue || c.Pattern != null
                : jsonType == TypeMask.Array ? c.MinItems.HasValue || c.MaxItems.HasValue || c.UniqueItems
                : (jsonType & (TypeMask.Number | TypeMask.Integer)) != 0 ? c.Minimum.HasValue || c.Maximum.HasValue || c.ExclusiveMinimum.HasValue || c.ExclusiveMaximum.HasValue || c.MultipleOf.HasValue
                : false;
            if (limits || (node.Ref >= 0 && NeedsCheck(node.Ref, jsonType, depth + 1)))
            {
                return true;
            }

            foreach (int part in node.AllOf)
            {
                if (NeedsCheck(part, jsonType, depth + 1))
                {
                    return true;
                }
            }

            if (node.AnyOf.Count == 0)
            {
                return false;
            }

            // anyOf is kept by the C# type when one branch takes every value of it (anyOf [integer, null] for a long).
            foreach (int branch in node.AnyOf)
            {
                SchemaNodeSpec b = nodes[branch];
                bool takesType = b.TypeMask == 0 || (b.TypeMask & jsonType) == jsonType;
                if (takesType && !NeedsCheck(branch, jsonType, depth + 1))
                {
                    return false;
                }
            }

            return true;
        }

        public int ItemsOf(int id) => NodeNavigation.ItemsOf(Document.Nodes, id);

        public int AdditionalOf(int id) => NodeNavigation.AdditionalOf(Document.Nodes, id);

        public bool WantsUniqueItems(int id) => NodeNavigation.WantsUniqueItems(Document.Nodes, id);

        private readonly Dictionary<string, bool> _validates = new Dictionary<string, bool>(System.StringComparer.Ordinal);

        /// <summary>
        /// Whether a generated type has anything to check beyond what its C# declaration guarantees (a required
        /// member, a limit, a nested type that has). A type without is valid by construction: its <c>Validate()</c>
        /// returns success and types that hold it do not call into it. A type on a cycle counts as checking.
        /// </summary>
        public bool Validates(string typeName)
        {
            if (_validates.TryGetValue(typeName, out bool known))
            {
                return known;
            }

            _validates[typeName] = true; // while it is being worked out, a cycle back to it counts as checking
            TypeSpec? type = Type(typeName);
            bool result = false;
            if (type != null && type.Kind == TypeSpecKind.Record)
            {
                foreach (PropertySpec property in type.Properties)
                {
                    result |= (property.Required && !property.Nullable && (!property.Type.IsValueType || type.IsAnswer)) || ValueNeedsCheck(property.Type, property.NodeId, 0);
                }
            }
            else if (type != null && type.Kind == TypeSpecKind.Union)
            {
                foreach (UnionBranchSpec branch in type.Branches)
                {
                    result |= ValueNeedsCheck(branch.Type, branch.NodeId, 0);
                }
            }

            _validates[typeName] = result;
            return result;
        }

        /// <summary>Whether a present value of a type can break its node (the same decisions the types' <c>ValidateInto</c> makes).</summary>
        public bool ValueNeedsCheck(TypeRef type, int node, int depth)
        {
            switch (type.Kind)
            {
                case ValueKind.Enum:
                    return false;
                case ValueKind.Record:
                case ValueKind.Union:
                    return Validates(type.Name);
                case ValueKind.Json:
                    return node >= 0 && !(Document.Nodes[node].BooleanSchema == true);
                case ValueKind.List:
                case ValueKind.Map:
                    int items = type.Kind == ValueKind.List ? ItemsOf(node) : AdditionalOf(node);
                    return (type.Kind == ValueKind.List && NeedsCheck(node, TypeMask.Array))
                        || (items >= 0 && depth < 8 && ValueNeedsCheck(type.Element!, items, depth + 1));
                default:
                    return NeedsCheck(node, JsonTypeOf(type.Kind));
            }
        }

        /// <summary>The JSON type a C# value of a kind always has (0 for objects and raw JSON).</summary>
        public static int JsonTypeOf(ValueKind kind)
        {
            switch (kind)
            {
                case ValueKind.String:
                case ValueKind.Enum:
                case ValueKind.OpenEnum: return TypeMask.String;
                case ValueKind.Int32:
                case ValueKind.Int64: return TypeMask.Integer;
                case ValueKind.Double: return TypeMask.Number;
                case ValueKind.Boolean: return TypeMask.Boolean;
                case ValueKind.List: return TypeMask.Array;
                default: return 0;
            }
        }

        // ------------------------------------------------------------------ documentation

        public static IEnumerable<string> DocLines(string text)
        {
            bool any = false;
            foreach (string raw in text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                any = true;
                yield return Xml(line);
            }

            if (!any)
            {
                yield return string.Empty;
            }
        }

        /// <summary>A summary element: the schema's description (or title), else a fallback sentence.</summary>
        public static string Summary(string? text, string fallback)
        {
            var lines = new List<string>(DocLines(string.IsNullOrWhiteSpace(text) ? fallback : text!));
            if (lines.Count == 1)
            {
                return "/// <summary>" + lines[0] + "</summary>";
            }

            var block = new StringBuilder("/// <summary>\n");
            foreach (string line in lines)
            {
                block.Append("/// ").Append(line).Append('\n');
            }

            return block.Append("/// </summary>").ToString();
        }

        /// <summary>Text made safe for an XML doc comment: markup escaped, control and line-separator characters out.</summary>
        public static string Xml(string text)
        {
            var builder = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                switch (c)
                {
                    case '&': builder.Append("&amp;"); break;
                    case '<': builder.Append("&lt;"); break;
                    case '>': builder.Append("&gt;"); break;
                    default:
                        bool unsafeChar = c < ' ' || (c >= 0xD800 && c <= 0xDFFF) || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\uFFFE' || c == '\uFFFF';
                        builder.Append(unsafeChar ? ' ' : c);
                        break;
                }
            }

            return builder.ToString();
        }

        public static string Shorten(string json) => json.Length > 120 ? json.Substring(0, 117) + "..." : json;
    }
}
