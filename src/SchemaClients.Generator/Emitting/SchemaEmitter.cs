using System.Collections.Generic;
using System.IO;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Validation;
using static SchemaClients.Generator.Emitting.Names;
using static SchemaClients.Generator.Model.GeneratedNames;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>
    /// The document's schema graph: the table the runtime's one validator walks (for <c>ValidateJson</c> and, through
    /// the node constants, for the types' <c>Validate()</c>), and the names of the nodes the generated code uses.
    /// </summary>
    internal static class SchemaEmitter
    {
        public static string Emit(EmitContext context)
        {
            DocumentSpec document = context.Document;
            var w = new SourceWriter();
            w.Block(context.Header("schema graph"));
            w.Line();
            string file = EmitContext.Xml(Path.GetFileName(document.FilePath));
            string root = document.RootNode >= 0 ? context.Node(document.RootNode, "Root") : string.Empty;
            w.Line("/// <summary>Validates raw JSON payloads against the schemas of " + file + ", with the same rules as the typed <c>Validate()</c> methods.</summary>");
            w.Line(GeneratedCode);
            w.Open("public static partial class " + ValidatorClass);
            if (document.RootNode >= 0)
            {
                w.Block($$"""
                    /// <summary>Validates a JSON payload against the document's {{(document.RootTypeName != null ? "request schema (<see cref=\"" + document.RootTypeName + "\"/>)" : "root schema")}}. Allocates nothing when it is valid.</summary>
                    /// <param name="json">The JSON value to check.</param>
                    /// <returns>Every violation, with its JSON path.</returns>
                    public static {{Result}} ValidateJson({{Element}} json) => Graph.Validate(json, {{root}});

                    """);
            }

            w.Block($$""""
                /// <summary>The schemas of {{file}}, one node per line: JSON Schema keywords whose subschemas are node indexes.</summary>
                public static global::SchemaClients.Validation.SchemaGraph Graph { get; } = global::SchemaClients.Validation.SchemaGraph.Load(
                    """
                """");
            w.Indent();
            w.Block(SchemaTable.Write(document.Nodes));
            w.Line("\"\"\"u8);");
            w.Unindent();
            w.Close();

            // The node constants the types and this file used, in node order.
            var names = new List<KeyValuePair<int, string>>(context.NodeNames);
            names.Sort((a, b) => a.Key.CompareTo(b.Key));
            w.Line();
            w.Line("/// <summary>The nodes of <see cref=\"" + ValidatorClass + ".Graph\"/> the generated types check their values against.</summary>");
            w.Line(GeneratedCode);
            w.Open("internal static class " + NodesClass);
            foreach (KeyValuePair<int, string> name in names)
            {
                w.Line("internal const int " + name.Value + " = " + Int(name.Key) + ";");
            }

            w.Close();
            return w.ToString();
        }
    }
}
