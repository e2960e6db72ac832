using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SchemaClients.Generator.Analysis;

namespace SchemaClients.Generator.CodeFixes
{
    /// <summary>
    /// Offers the values the analyzer worked out: a number clamped to the nearest allowed value, a string cut
    /// to its maximum length, or the allowed values nearest to a string outside a closed set.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SchemaValueCodeFixProvider))]
    public sealed class SchemaValueCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("SCG1001", "SCG1002", "SCG1003", "SCG1005");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax value)
                {
                    continue;
                }

                int rank = 0;
                foreach (string literal in Candidates(diagnostic))
                {
                    // Keyed by the candidate's rank, not its value: "fix all" then gives every value its own nearest
                    // allowed one (51 -> 50 and 0 -> 1 together), not only the values that share the first one's fix.
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            "Use " + literal + " (allowed by the schema)",
                            cancellationToken => ReplaceAsync(context.Document, value, literal, cancellationToken),
                            equivalenceKey: diagnostic.Id + ":" + rank.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        diagnostic);
                    rank++;
                }
            }
        }

        private static IEnumerable<string> Candidates(Diagnostic diagnostic)
        {
            for (int i = 0; diagnostic.Properties.TryGetValue(SchemaValueAnalyzer.FixPrefix + i, out string? literal) && literal != null; i++)
            {
                yield return literal;
            }
        }

        private static async Task<Document> ReplaceAsync(Document document, ExpressionSyntax value, string literal, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null)
            {
                return document;
            }

            ExpressionSyntax replacement = SyntaxFactory.ParseExpression(literal).WithTriviaFrom(value);
            return document.WithSyntaxRoot(root.ReplaceNode(value, replacement));
        }
    }
}
