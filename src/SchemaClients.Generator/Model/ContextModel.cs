using System.Collections.Generic;

namespace SchemaClients.Generator.Model
{
    /// <summary>One type the shared JSON context exposes.</summary>
    /// <param name="ConverterName">The type's converter inside the document's <c>SchemaConverters</c>.</param>
    internal sealed record ContextEntry(string FilePath, string Namespace, string ClassPrefix, string TypeName, string ConverterName);

    /// <summary>The types one document adds to the shared JSON context.</summary>
    internal sealed record ContextEntries(string FilePath, string Namespace, EquatableArray<ContextEntry> Entries)
    {
        public static ContextEntries From(DocumentSpec document)
        {
            var entries = new ContextEntry[document.HasOutput ? document.Types.Count : 0];
            Dictionary<string, string> converters = GeneratedNames.Converters(document);
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i] = new ContextEntry(document.FilePath, document.Namespace, document.ClassPrefix, document.Types[i].Name, converters[document.Types[i].Name]);
            }

            return new ContextEntries(document.FilePath, document.HasOutput ? document.Namespace : string.Empty, new EquatableArray<ContextEntry>(entries));
        }
    }

    /// <summary>The emitted shared JSON context and the diagnostics found while building it.</summary>
    internal sealed record ContextOutput(string Source, EquatableArray<Diagnostics.DiagnosticInfo> Diagnostics);

    /// <summary>One emitted file.</summary>
    internal sealed record GeneratedSource(string HintName, string Text);
}
