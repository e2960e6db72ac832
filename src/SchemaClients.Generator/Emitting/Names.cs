using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>Names and literals the emitter writes.</summary>
    internal static class Names
    {
        /// <summary>The generator's own version (its informational version, without build metadata).</summary>
        public static readonly string Version = ReadVersion();

        public const string Result = "global::SchemaClients.Validation.ValidationResult";
        public const string Reader = "global::System.Text.Json.Utf8JsonReader";
        public const string Writer = "global::System.Text.Json.Utf8JsonWriter";
        public const string Element = "global::System.Text.Json.JsonElement";
        public const string TokenType = "global::System.Text.Json.JsonTokenType";
        public const string Options = "global::System.Text.Json.JsonSerializerOptions";
        public static readonly string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"SchemaClients.Generator\", \"" + Version + "\")]";

        private static string ReadVersion()
        {
            object[] attributes = typeof(Names).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false);
            string version = attributes.Length > 0 ? ((System.Reflection.AssemblyInformationalVersionAttribute)attributes[0]).InformationalVersion : typeof(Names).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            int plus = version.IndexOf('+');
            return plus >= 0 ? version.Substring(0, plus) : version;
        }

        public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

        /// <summary>A UTF-8 literal when the text is plain ASCII; otherwise a normal string (u8 cannot hold lone surrogates).</summary>
        public static string Utf8Literal(string value)
        {
            foreach (char c in value)
            {
                if (c > 0x7E || c < 0x20)
                {
                    return Literal(value);
                }
            }

            return Literal(value) + "u8";
        }

        public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

        public static string Json(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
