using System;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Emitting;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Parsing;

namespace SchemaClients.Generator
{
    /// <summary>
    /// Schema files (JSON under a <c>schemas</c> folder, given as AdditionalFiles) become typed request
    /// records, validators, converters and one JSON context. The pipeline, step by step:
    /// read each file's text → parse it into a spec model → emit its source and report its diagnostics;
    /// all documents together → one JSON context.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class SchemaClientsGenerator : IIncrementalGenerator
    {
        /// <summary>The folder name that marks an additional file as a schema file.</summary>
        public const string SchemaFolder = "schemas";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValueProvider<GeneratorOptions> options = context.AnalyzerConfigOptionsProvider
                .Select(static (provider, _) => GeneratorOptionsReader.Read(provider.GlobalOptions))
                .WithTrackingName(TrackingNames.Options);

            // Schema files (under a schemas folder) generate code; any other JSON file given a SchemaClientsUri is there
            // only for references to resolve to.
            IncrementalValuesProvider<SchemaFile> known = context.AdditionalTextsProvider
                .Where(static text => text.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                .Combine(context.AnalyzerConfigOptionsProvider)
                .Select(static (pair, cancellationToken) => ReadFile(pair.Left, pair.Right, cancellationToken))
                .Where(static file => file != null)
                .Select(static (file, _) => file!);

            IncrementalValuesProvider<SchemaFile> files = known
                .Where(static file => IsSchemaFile(file.Path))
                .WithTrackingName(TrackingNames.SchemaFiles);

            // Remote $refs resolve to the other schema files (never the network). Only a document with a reference
            // outside itself gets the registry: the others' inputs stay equal when another file changes, so they stay cached.
            IncrementalValueProvider<SchemaRegistry> registry = known
                .Select(static (file, _) => new RegistryEntry(file.Uri, file.Path, file.Text))
                .Collect()
                .Select(static (entries, _) => new SchemaRegistry(new EquatableArray<RegistryEntry>(entries.ToArray())));

            IncrementalValuesProvider<ParsedDocument> parsed = files
                .Combine(registry)
                .Select(static (pair, _) => (File: pair.Left, Registry: RemoteReferences.Any(pair.Left.Text) ? pair.Right : SchemaRegistry.Empty))
                .Combine(options)
                .Select(static (pair, cancellationToken) => DocumentParser.Parse(pair.Left.File, pair.Right, pair.Left.Registry, cancellationToken))
                .WithTrackingName(TrackingNames.Documents);

            // Referenced as a project, the generator gets neither the props nor the schema files: said, not silent.
            context.RegisterSourceOutput(
                files.Collect().Select(static (all, _) => all.Length).Combine(options).WithTrackingName(TrackingNames.Setup),
                static (production, pair) =>
                {
                    if (pair.Left == 0 && !pair.Right.BuildPropsImported)
                    {
                        production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WithHelpLink(DiagnosticDescriptors.NoBuildProps, pair.Right.HelpLinkRoot), Location.None));
                    }
                });

            IncrementalValueProvider<string?> helpLinkRoot = options.Select(static (o, _) => o.HelpLinkRoot);
            context.RegisterSourceOutput(
                parsed.Select(static (document, _) => document.Diagnostics).WithTrackingName(TrackingNames.Diagnostics).Combine(helpLinkRoot),
                static (production, pair) =>
                {
                    foreach (DiagnosticInfo diagnostic in pair.Left)
                    {
                        production.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
                    }
                });

            // The spec alone: an edit that only moves text (diagnostics and locations change) leaves it equal, so the
            // emitter does not run again.
            IncrementalValuesProvider<DocumentSpec> documents = parsed
                .Select(static (document, _) => document.Spec)
                .WithTrackingName(TrackingNames.Specs);

            // Two files that generate one namespace: the first by path keeps it (SCG0015 names both, from the JSON
            // context step); the other emits nothing, so the build shows that one error and not a cascade of duplicates.
            IncrementalValueProvider<EquatableArray<string>> shadowed = documents
                .Select(static (document, _) => (document.Namespace, document.FilePath))
                .Collect()
                .Select(static (all, _) => ContextEmitter.Shadowed(all));

            context.RegisterSourceOutput(
                documents.Where(static document => document.HasOutput)
                    .Combine(shadowed)
                    .Where(static pair => !pair.Right.Contains(pair.Left.FilePath))
                    .Select(static (pair, _) => pair.Left)
                    .SelectMany(static (document, cancellationToken) => DocumentEmitter.Emit(document, cancellationToken))
                    .WithTrackingName(TrackingNames.Sources),
                static (production, source) => production.AddSource(source.HintName, SourceText.From(source.Text, System.Text.Encoding.UTF8)));

            IncrementalValueProvider<ContextOutput> jsonContext = documents
                .Select(static (document, _) => ContextEntries.From(document))
                .WithTrackingName(TrackingNames.ContextEntries)
                .Collect()
                .Combine(options)
                .Select(static (pair, _) => ContextEmitter.Emit(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.JsonContext);

            context.RegisterSourceOutput(jsonContext.Combine(helpLinkRoot), static (production, pair) =>
            {
                ContextOutput output = pair.Left;
                foreach (DiagnosticInfo diagnostic in output.Diagnostics)
                {
                    production.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
                }

                production.AddSource(GeneratedNames.JsonContextClass + ".g.cs", SourceText.From(output.Source, System.Text.Encoding.UTF8));
            });
        }

        internal static bool IsSchemaFile(string path)
        {
            if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || string.Equals(Path.GetFileName(path), "manifest.json", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            string normalized = path.Replace('\\', '/');
            return normalized.IndexOf("/" + SchemaFolder + "/", StringComparison.OrdinalIgnoreCase) >= 0
                || normalized.StartsWith(SchemaFolder + "/", StringComparison.OrdinalIgnoreCase);
        }

        private static SchemaFile? ReadFile(AdditionalText text, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
        {
            // <AdditionalFiles Include="..." SchemaClientsUri="https://example.com/schemas/common.json" />: the URI other
            // documents' $refs know this file by (its file URI always works too).
            options.GetOptions(text).TryGetValue("build_metadata.AdditionalFiles.SchemaClientsUri", out string? uri);
            uri = string.IsNullOrWhiteSpace(uri) ? null : uri;
            if (uri == null && !IsSchemaFile(text.Path))
            {
                return null;
            }

            SourceText? content = text.GetText(cancellationToken);
            return new SchemaFile(text.Path, content?.ToString() ?? string.Empty, uri);
        }


    }
}
