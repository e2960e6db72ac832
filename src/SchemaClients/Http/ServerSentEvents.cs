using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Http
{
    /// <summary>One server-sent event: its type (<c>message</c> when the stream names none), data and id.</summary>
    public sealed record ServerSentEvent(string Event, string Data, string? Id);

    /// <summary>Reads a <c>text/event-stream</c> as the HTML standard defines it.</summary>
    public static class ServerSentEvents
    {
        /// <summary>
        /// Yields each event as its blank line arrives: <c>data:</c> lines are joined with LF, comment
        /// lines (starting with ':') are skipped, and a trailing event without its blank line is dropped.
        /// </summary>
        public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string type = string.Empty;
            string? id = null;
            var data = new StringBuilder();
            bool hasData = false;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    if (hasData)
                    {
                        yield return new ServerSentEvent(type.Length == 0 ? "message" : type, data.ToString(), id);
                    }

                    type = string.Empty;
                    data.Clear();
                    hasData = false;
                    continue;
                }

                if (line[0] == ':')
                {
                    continue;
                }

                int colon = line.IndexOf(':');
                string field = colon < 0 ? line : line.Substring(0, colon);
                string value = colon < 0 ? string.Empty : line.Substring(colon + 1);
                if (value.StartsWith(' '))
                {
                    value = value.Substring(1);
                }

                switch (field)
                {
                    case "event":
                        type = value;
                        break;
                    case "data":
                        if (hasData)
                        {
                            data.Append('\n');
                        }

                        data.Append(value);
                        hasData = true;
                        break;
                    case "id":
                        id = value;
                        break;
                }
            }
        }
    }
}
