using Microsoft.CodeAnalysis.Diagnostics;
using SchemaClients.Generator.Model;

namespace SchemaClients.Generator
{
    /// <summary>Reads the MSBuild options the generator and the analyzer share.</summary>
    internal static class GeneratorOptionsReader
    {
        public static GeneratorOptions Read(AnalyzerConfigOptions global)
        {
            string? ns = null;
            if (global.TryGetValue("build_property.SchemaClientsNamespace", out string? configured) && !string.IsNullOrWhiteSpace(configured))
            {
                ns = configured.Trim();
            }
            else if (global.TryGetValue("build_property.RootNamespace", out string? root) && !string.IsNullOrWhiteSpace(root))
            {
                ns = root.Trim();
            }

            global.TryGetValue("build_property.ProjectDir", out string? projectDir);
            // The package's props set SchemaClientsBuildProps; without them (a project reference) no schema file is passed in.
            bool imported = global.TryGetValue("build_property.SchemaClientsBuildProps", out string? marker) && marker == "true";
            return new GeneratorOptions(ns ?? "SchemaClients.Generated", string.IsNullOrWhiteSpace(projectDir) ? null : projectDir, imported, HelpLinkRoot(global));
        }

        /// <summary>
        /// Where each diagnostic's help page is: <c>SchemaClientsHelpLinkRoot</c> (the package's props default it to the
        /// pages inside the installed package; a team can point it at its own copy), the page being <c>ID.md</c> in it.
        /// </summary>
        public static string? HelpLinkRoot(AnalyzerConfigOptions global)
        {
            if (!global.TryGetValue("build_property.SchemaClientsHelpLinkRoot", out string? root) || string.IsNullOrWhiteSpace(root))
            {
                return null;
            }

            root = root.Trim();
            return root.EndsWith("/", System.StringComparison.Ordinal) ? root : root + "/";
        }
    }
}
