using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SchemaClients.Generator.Reading
{
    /// <summary>The result of reading a JSON text: the root value, or the first error and where it is.</summary>
    internal readonly struct JsonReadResult
    {
        public JsonReadResult(JsonSyntax? root, string? error, int errorOffset)
        {
            Root = root;
            Error = error;
            ErrorOffset = errorOffset;
        }

        public JsonSyntax? Root { get; }

        public string? Error { get; }

        public int ErrorOffset { get; }
    }

    /// <summary>
    /// A strict RFC 8259 reader that keeps the span of every value. It carries no dependency beyond
    /// the BCL of netstandard2.0 so it loads in every compiler host.
    /// </summary>
    /// <remarks>
    /// Decisions on what RFC 8259 leaves open (the <c>i_</c> cases of JSONTestSuite):
    /// numbers of any size are accepted (kept as written; their double value may be infinity);
    /// <c>\u</c> escapes of lone surrogates are accepted and kept as the UTF-16 unit;
    /// text that was not valid UTF-8 reaches this reader already decoded by the host and is accepted as
    /// decoded; nesting deeper than <see cref="MaxDepth"/> is rejected so the reader cannot overflow the stack;
    /// a byte order mark is removed by the host before the reader sees the text.
    /// </remarks>
    internal sealed class JsonReader
    {
        /// <summary>Deepest nesting accepted. Schema documents nest a few dozen levels at most.</summary>
        public const int MaxDepth = 256;

        private readonly string _text;
        private int _pos;
        private int _depth;
        private string? _error;
        private int _errorOffset;
        private readonly StringBuilder _buffer = new StringBuilder();

        private JsonReader(string text)
        {
            _text = text;
        }

        public static JsonReadResult Read(string text)
        {
            var reader = new JsonReader(text);
            reader.SkipWhitespace();
            JsonSyntax? root = reader.ReadValue();
            if (root != null)
            {
                reader.SkipWhitespace();
                if (reader._pos < text.Length)
                {
                    reader.Fail("unexpected " + Describe(text[reader._pos]) + " after the end of the JSON value", reader._pos);
                    root = null;
                }
            }

            return root != null ? new JsonReadResult(root, null, 0) : new JsonReadResult(null, reader._error, reader._errorOffset);
        }

        private static string Describe(char c)
        {
            if (c < ' ' || c > '~')
            {
                return "character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
            }

            return "'" + c + "'";
        }

        private JsonSyntax? Fail(string message, int offset)
        {
            if (_error == null)
            {
                _error = message;
                _errorOffset = offset;
            }

            return null;
        }

        private void SkipWhitespace()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }
        }

        private JsonSyntax? ReadValue()
        {
            if (_pos >= _text.Length)
            {
                return Fail("unexpected end of text; a value was expected", _pos);
            }

            char c = _text[_pos];
            switch (c)
            {
                case '{':
                    return ReadObject();
                case '[':
                    return ReadArray();
                case '"':
                    return ReadStringNode();
                case 't':
                    return ReadLiteral("true", JsonKind.True);
                case 'f':
                    return ReadLiteral("false", JsonKind.False);
                case 'n':
                    return ReadLiteral("null", JsonKind.Null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return ReadNumber();
                    }

                    return Fail("unexpected " + Describe(c) + "; a value was expected", _pos);
            }
        }

        private JsonSyntax? ReadLiteral(string literal, JsonKind kind)
        {
            int start = _pos;
            if (_pos + literal.Length > _text.Length || string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
            {
                return Fail("invalid literal; expected '" + literal + "'", start);
            }

            _pos += literal.Length;
            return new JsonSyntax(kind, start) { End = _pos };
        }

        private JsonSyntax? ReadNumber()
        {
            int start = _pos;
            if (_text[_pos] == '-')
            {
                _pos++;
            }

            if (_pos >= _text.Length)
            {
                return Fail("a number ended after its sign", start);
            }

            if (_text[_pos] == '0')
            {
                _pos++;
            }
            else if (IsDigit(_pos))
            {
                while (IsDigit(_pos))
                {
                    _pos++;
                }
            }
            else
            {
                return Fail("a digit was expected in the number", _pos);
            }

            if (_pos < _text.Length && _text[_pos] == '.')
            {
                _pos++;
                if (!IsDigit(_pos))
                {
                    return Fail("a digit was expected after the decimal point", _pos);
                }

                while (IsDigit(_pos))
                {
                    _pos++;
                }
            }

            if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
            {
                _pos++;
                if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-'))
                {
                    _pos++;
                }

                if (!IsDigit(_pos))
                {
                    return Fail("a digit was expected in the exponent", _pos);
                }

                while (IsDigit(_pos))
                {
                    _pos++;
                }
            }

            string literal = _text.Substring(start, _pos - start);
            double value;
            if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                value = literal[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            }

            return new JsonSyntax(JsonKind.Number, start) { End = _pos, NumberText = literal, NumberValue = value };
        }

        private bool IsDigit(int index) => index < _text.Length && _text[index] >= '0' && _text[index] <= '9';

        private JsonSyntax? ReadStringNode()
        {
            int start = _pos;
            string? value = ReadString();
            if (value == null)
            {
                return null;
            }

            return new JsonSyntax(JsonKind.String, start) { End = _pos, StringValue = value };
        }

        private string? ReadString()
        {
            int start = _pos;
            _pos++; // opening quote
            _buffer.Clear();
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    Fail("unterminated string", start);
                    return null;
                }

                char c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    return _buffer.ToString();
                }

                if (c < ' ')
                {
                    Fail("control character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + " must be escaped inside a string", _pos);
                    return null;
                }

                if (c != '\\')
                {
                    _buffer.Append(c);
                    _pos++;
                    continue;
                }

                _pos++;
                if (_pos >= _text.Length)
                {
                    Fail("unterminated escape sequence", _pos - 1);
                    return null;
                }

                char e = _text[_pos];
                switch (e)
                {
                    case '"': _buffer.Append('"'); break;
                    case '\\': _buffer.Append('\\'); break;
                    case '/': _buffer.Append('/'); break;
                    case 'b': _buffer.Append('\b'); break;
                    case 'f': _buffer.Append('\f'); break;
                    case 'n': _buffer.Append('\n'); break;
                    case 'r': _buffer.Append('\r'); break;
                    case 't': _buffer.Append('\t'); break;
                    case 'u':
                        int code = 0;
                        for (int i = 1; i <= 4; i++)
                        {
                            int digit = _pos + i < _text.Length ? HexValue(_text[_pos + i]) : -1;
                            if (digit < 0)
                            {
                                Fail("\\u must be followed by four hexadecimal digits", _pos - 1);
                                return null;
                            }

                            code = (code * 16) + digit;
                        }

                        _buffer.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        Fail("invalid escape sequence '\\" + e + "'", _pos - 1);
                        return null;
                }

                _pos++;
            }
        }

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }

            return -1;
        }

        private JsonSyntax? ReadArray()
        {
            int start = _pos;
            if (++_depth > MaxDepth)
            {
                return Fail("nesting is deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels", start);
            }

            _pos++;
            var items = new List<JsonSyntax>();
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == ']')
            {
                _pos++;
                _depth--;
                return new JsonSyntax(JsonKind.Array, start) { End = _pos, Items = items };
            }

            while (true)
            {
                SkipWhitespace();
                JsonSyntax? item = ReadValue();
                if (item == null)
                {
                    return null;
                }

                items.Add(item);
                SkipWhitespace();
                if (_pos >= _text.Length)
                {
                    return Fail("unterminated array; ',' or ']' was expected", start);
                }

                char c = _text[_pos];
                if (c == ',')
                {
                    _pos++;
                    continue;
                }

                if (c == ']')
                {
                    _pos++;
                    _depth--;
                    return new JsonSyntax(JsonKind.Array, start) { End = _pos, Items = items };
                }

                return Fail("unexpected " + Describe(c) + " in an array; ',' or ']' was expected", _pos);
            }
        }

        private JsonSyntax? ReadObject()
        {
            int start = _pos;
            if (++_depth > MaxDepth)
            {
                return Fail("nesting is deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels", start);
            }

            _pos++;
            var members = new List<JsonMember>();
            SkipWhitespace();
            if (_pos < _text.Length && _text[_pos] == '}')
            {
                _pos++;
                _depth--;
                return new JsonSyntax(JsonKind.Object, start) { End = _pos, Members = members };
            }

            while (true)
            {
                SkipWhitespace();
                if (_pos >= _text.Length)
                {
                    return Fail("unterminated object; a property name was expected", start);
                }

                if (_text[_pos] != '"')
                {
                    return Fail("unexpected " + Describe(_text[_pos]) + "; a property name in double quotes was expected", _pos);
                }

                int nameStart = _pos;
                string? name = ReadString();
                if (name == null)
                {
                    return null;
                }

                int nameEnd = _pos;
                SkipWhitespace();
                if (_pos >= _text.Length || _text[_pos] != ':')
                {
                    return Fail("':' was expected after the property name", _pos);
                }

                _pos++;
                SkipWhitespace();
                JsonSyntax? value = ReadValue();
                if (value == null)
                {
                    return null;
                }

                members.Add(new JsonMember(name, nameStart, nameEnd, value));
                SkipWhitespace();
                if (_pos >= _text.Length)
                {
                    return Fail("unterminated object; ',' or '}' was expected", start);
                }

                char c = _text[_pos];
                if (c == ',')
                {
                    _pos++;
                    continue;
                }

                if (c == '}')
                {
                    _pos++;
                    _depth--;
                    return new JsonSyntax(JsonKind.Object, start) { End = _pos, Members = members };
                }

                return Fail("unexpected " + Describe(c) + " in an object; ',' or '}' was expected", _pos);
            }
        }
    }
}
