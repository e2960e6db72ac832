using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Naming;
using SchemaClients.Generator.Parsing;
using SchemaClients.Generator.Validation;

namespace SchemaClients.Generator.Analysis
{
    /// <summary>The rules of one property of a generated type: its node in the document's graph, and where it is declared.</summary>
    internal sealed record PropertyRule(PropertySpec Property, string TypeName, string Provider, string Model, string FilePath, LocationInfo? Location, BuildTimeGraph Graph, EquatableArray<SchemaNodeSpec> Nodes, EquatableArray<KeywordLocation> Keywords)
    {
        /// <summary>Where the keyword a value breaks is written (<c>"maximum": 50</c>); else where the property is.</summary>
        public LocationInfo? LocationOf(string rule)
        {
            foreach (KeywordLocation keyword in Keywords)
            {
                if (keyword.Keyword == rule)
                {
                    return keyword.Location;
                }
            }

            return Location;
        }
    }

    /// <summary>
    /// Every generated property and its rules, built by the generator's own parser from the same schema files and
    /// checked by the same validator over the same graph, so the analyzer, <c>Validate()</c> and <c>ValidateJson()</c>
    /// agree. A file's parse is kept per <see cref="SourceText"/>: a compilation that did not change a schema file
    /// does not parse it again.
    /// </summary>
    internal sealed class SchemaRuleIndex
    {
        private static readonly ConditionalWeakTable<SourceText, StrongBox<ParsedFile?>> Cache = new ConditionalWeakTable<SourceText, StrongBox<ParsedFile?>>();

        private readonly Dictionary<string, Dictionary<string, PropertyRule>> _byType = new Dictionary<string, Dictionary<string, PropertyRule>>(StringComparer.Ordinal);

        public bool IsEmpty => _byType.Count == 0;

        /// <summary>One file's parse, for the options it was parsed with.</summary>
        private sealed class ParsedFile
        {
            public ParsedFile(GeneratorOptions options, ParsedDocument document, BuildTimeGraph? graph)
            {
                Options = options;
                Document = document;
                Graph = graph;
            }

            public GeneratorOptions Options { get; }

            public ParsedDocument Document { get; }

            public BuildTimeGraph? Graph { get; }
        }

        public static SchemaRuleIndex Build(ImmutableArray<AdditionalText> files, AnalyzerConfigOptions globalOptions, CancellationToken cancellationToken)
        {
            var index = new SchemaRuleIndex();
            GeneratorOptions options = GeneratorOptionsReader.Read(globalOptions);
            foreach (AdditionalText file in files)
            {
                if (!SchemaClientsGenerator.IsSchemaFile(file.Path))
                {
                    continue;
                }

                SourceText? text = file.GetText(cancellationToken);
                if (text == null)
                {
                    continue;
                }

                ParsedFile parsed = Parse(file.Path, text, options, cancellationToken);
                DocumentSpec document = parsed.Document.Spec;
                if (!document.HasOutput || parsed.Graph == null)
                {
                    continue;
                }

                var locations = new Dictionary<string, PropertyLocation>(StringComparer.Ordinal);
                foreach (PropertyLocation location in parsed.Document.Locations)
                {
                    locations[location.TypeName + "\n" + location.JsonName] = location;
                }

                foreach (TypeSpec type in document.Types)
                {
                    if (type.Kind != TypeSpecKind.Record)
                    {
                        continue;
                    }

                    var properties = new Dictionary<string, PropertyRule>(StringComparer.Ordinal);
                    foreach (PropertySpec property in type.Properties)
                    {
                        locations.TryGetValue(type.Name + "\n" + property.JsonName, out PropertyLocation? location);
                        properties[Identifiers.WithoutVerbatim(property.CsName)] = new PropertyRule(
                            property, type.Name, document.Provider, document.ModelId, file.Path, location?.Location, parsed.Graph, document.Nodes,
                            location?.Keywords ?? EquatableArray<KeywordLocation>.Empty);
                    }

                    index._byType[document.Namespace + "." + type.Name] = properties;
                }
            }

            return index;
        }

        private static ParsedFile Parse(string path, SourceText text, GeneratorOptions options, CancellationToken cancellationToken)
        {
            StrongBox<ParsedFile?> box = Cache.GetValue(text, _ => new StrongBox<ParsedFile?>());
            lock (box)
            {
                ParsedFile? cached = box.Value;
                if (cached != null && cached.Options == options && cached.Document.Spec.FilePath == path)
                {
                    return cached;
                }

                ParsedDocument document = DocumentParser.Parse(new SchemaFile(path, text.ToString()), options, cancellationToken);
                var parsed = new ParsedFile(options, document, document.Spec.HasOutput ? BuildTimeGraph.From(document.Spec.Nodes) : null);
                box.Value = parsed;
                return parsed;
            }
        }

        /// <summary>The rules of a property, or null when the type is not generated from a schema.</summary>
        public PropertyRule? Find(string fullTypeName, string propertyName)
            => _byType.TryGetValue(fullTypeName, out Dictionary<string, PropertyRule>? properties) && properties.TryGetValue(propertyName, out PropertyRule? rule) ? rule : null;

        public bool HasType(string fullTypeName) => _byType.ContainsKey(fullTypeName);
    }
}
