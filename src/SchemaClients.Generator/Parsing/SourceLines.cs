using System.Collections.Generic;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Reading;

namespace SchemaClients.Generator.Parsing
{
    /// <summary>Turns character offsets of one file into line and column.</summary>
    internal sealed class SourceLines
    {
        private readonly string _path;
        private readonly string _text;
        private readonly List<int> _lineStarts = new List<int> { 0 };

        public SourceLines(string path, string text)
        {
            _path = path;
            _text = text;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        /// <summary>Where a value is, from its first character to its last.</summary>
        public LocationInfo Locate(JsonSyntax node) => Locate(node.Start, node.End);

        /// <summary>Where a member's name is, quotes included.</summary>
        public LocationInfo LocateName(JsonMember member) => Locate(member.NameStart, member.NameEnd);

        public LocationInfo Locate(int start, int end)
        {
            if (start > _text.Length)
            {
                start = _text.Length;
            }

            if (end < start)
            {
                end = start;
            }

            if (end > _text.Length)
            {
                end = _text.Length;
            }

            Position(start, out int startLine, out int startColumn);
            Position(end, out int endLine, out int endColumn);
            return new LocationInfo(_path, start, end - start, startLine, startColumn, endLine, endColumn);
        }

        private void Position(int offset, out int line, out int column)
        {
            int low = 0;
            int high = _lineStarts.Count - 1;
            while (low < high)
            {
                int mid = (low + high + 1) / 2;
                if (_lineStarts[mid] <= offset)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }

            line = low;
            column = offset - _lineStarts[low];
        }
    }
}
