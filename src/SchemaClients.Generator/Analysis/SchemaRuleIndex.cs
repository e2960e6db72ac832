using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Parsing;

namespace SchemaClients.Generator.Analysis
{
    /// <summary>The rules of one property of a generated type, with the document it comes from.</summary>
    internal sealed record PropertyRule(PropertySpec Property, string TypeName, string Provider, string Model, string FilePath);

    /// <summary>
    /// Every generated request property and its rules, built by the generator's own parser from the same
    /// schema files, so the analyzer, <c>Validate()</c> and the JSON validators read one spec model.
    /// </summary>
    internal sealed class SchemaRuleIndex
    {
        private readonly Dictionary<string, Dictionary<string, PropertyRule>> _byType = new Dictionary<string, Dictionary<string, PropertyRule>>(StringComparer.Ordinal);

        public bool IsEmpty => _byType.Count == 0;

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

                string text = file.GetText(cancellationToken)?.ToString() ?? string.Empty;
                DocumentSpec document = DocumentParser.Parse(new SchemaFile(file.Path, text), options, cancellationToken);
                if (!document.HasOutput)
                {
                    continue;
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
                        properties[property.CsName.TrimStart('@')] = new PropertyRule(property, type.Name, document.Provider, document.ModelId, file.Path);
                    }

                    index._byType[document.Namespace + "." + type.Name] = properties;
                }
            }

            return index;
        }

        /// <summary>The rules of a property, or null when the type is not generated from a schema.</summary>
        public PropertyRule? Find(string fullTypeName, string propertyName)
            => _byType.TryGetValue(fullTypeName, out Dictionary<string, PropertyRule>? properties) && properties.TryGetValue(propertyName, out PropertyRule? rule) ? rule : null;

        public bool HasType(string fullTypeName) => _byType.ContainsKey(fullTypeName);
    }
}
