using System.Text;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Generator.Reading
{
    /// <summary>Writes a read JSON value back as compact JSON, for enum values, constants and defaults.</summary>
    internal static class JsonText
    {
        public static string Compact(JsonSyntax node)
        {
            var builder = new StringBuilder();
            Write(builder, node);
            return builder.ToString();
        }

        public static string Quote(string value) => ConstantValue.Quote(value, asciiOnly: false);

        private static void Write(StringBuilder builder, JsonSyntax node)
        {
            switch (node.Kind)
            {
                case JsonKind.Null: builder.Append("null"); break;
                case JsonKind.True: builder.Append("true"); break;
                case JsonKind.False: builder.Append("false"); break;
                case JsonKind.Number: builder.Append(node.NumberText); break;
                case JsonKind.String: WriteString(builder, node.StringValue!); break;
                case JsonKind.Array:
                    builder.Append('[');
                    for (int i = 0; i < node.Items.Count; i++)
                    {
                        if (i > 0)
                        {
                            builder.Append(',');
                        }

                        Write(builder, node.Items[i]);
                    }

                    builder.Append(']');
                    break;
                case JsonKind.Object:
                    builder.Append('{');
                    for (int i = 0; i < node.Members.Count; i++)
                    {
                        if (i > 0)
                        {
                            builder.Append(',');
                        }

                        WriteString(builder, node.Members[i].Name);
                        builder.Append(':');
                        Write(builder, node.Members[i].Value);
                    }

                    builder.Append('}');
                    break;
            }
        }

        private static void WriteString(StringBuilder builder, string value) => builder.Append(ConstantValue.Quote(value, asciiOnly: false));
    }
}
