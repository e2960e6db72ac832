using Microsoft.CodeAnalysis;
using SchemaClients.Generator.Model;

namespace SchemaClients.Generator.Diagnostics
{
    /// <summary>A diagnostic as data: it travels through the pipeline and is reported from its own output.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
            => new DiagnosticInfo(descriptor.Id, location, new EquatableArray<string>(arguments));

        /// <summary>The diagnostic, its help link under <paramref name="helpLinkRoot"/> (see <see cref="DiagnosticDescriptors.WithHelpLink"/>).</summary>
        public Diagnostic ToDiagnostic(string? helpLinkRoot)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.WithHelpLink(DiagnosticDescriptors.Find(Id), helpLinkRoot);
            object[] args = new object[Arguments.Count];
            for (int i = 0; i < args.Length; i++)
            {
                args[i] = Arguments[i];
            }

            return Diagnostic.Create(descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
        }
    }
}
