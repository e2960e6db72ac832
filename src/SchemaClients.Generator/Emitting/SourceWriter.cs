using System.Text;

namespace SchemaClients.Generator.Emitting
{
    /// <summary>Writes indented C# text with LF line endings, so output is byte-identical on every OS.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _builder = new StringBuilder();
        private int _indent;

        public void Line(string text = "")
        {
            if (text.Length > 0)
            {
                _builder.Append(' ', _indent * 4);
                _builder.Append(text);
            }

            _builder.Append('\n');
        }

        /// <summary>Writes a block of lines (a raw string template) at the current indentation.</summary>
        public void Block(string text)
        {
            foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
            {
                Line(line);
            }
        }

        public void Open(string text)
        {
            if (text.Length > 0)
            {
                Line(text);
            }

            Line("{");
            _indent++;
        }

        public void Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
        }

        public void Indent() => _indent++;

        public void Unindent() => _indent--;

        public override string ToString() => _builder.ToString();
    }
}
