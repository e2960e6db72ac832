using System;
using System.Globalization;
using System.IO;
using System.Threading;
using SchemaClients.Http;

namespace SchemaClients.Sample;

/// <summary>
/// The sample's standard error. On a terminal, queue progress is one live status line, rewritten in place with a
/// spinner and a running clock; redirected (a log, CI, a pipe) or with <c>TERM=dumb</c>, every change is a plain line.
/// Messages are whole lines in both modes: the live line is cleared before one is written and drawn again after.
/// </summary>
internal sealed class StatusConsole : IProgress<QueueProgress>, IDisposable
{
    private static readonly string[] Spinner = { "|", "/", "-", "\\" };
    private readonly TextWriter _error;
    private readonly bool _live;
    private readonly object _gate = new();
    private readonly Timer? _ticker;
    private string? _status;
    private TimeSpan _elapsed;
    private DateTime _reportedAt;
    private int _frame;
    private bool _drawn;

    public StatusConsole(TextWriter error, bool live)
    {
        _error = error;
        _live = live;
        if (live)
        {
            _ticker = new Timer(_ => Tick(), null, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Live when standard error is a terminal that understands carriage return and erase-line.</summary>
    public static bool IsLiveTerminal(bool errorRedirected, string? term) => !errorRedirected && !string.Equals(term, "dumb", StringComparison.Ordinal);

    /// <summary>The console of this process: live when <see cref="IsLiveTerminal"/> says so.</summary>
    public static StatusConsole ForThisProcess()
        => new(Console.Error, IsLiveTerminal(Console.IsErrorRedirected, Environment.GetEnvironmentVariable("TERM")));

    /// <summary>Whether progress is drawn as one live line.</summary>
    public bool Live => _live;

    /// <summary>Writes a whole line (clearing the live status line first, drawing it again after).</summary>
    public void Say(string message)
    {
        lock (_gate)
        {
            Clear();
            _error.WriteLine(message);
            Draw();
        }
    }

    /// <summary>Status, percentage (apiframe), queue position, latest log line and elapsed time, as they change.</summary>
    public void Report(QueueProgress value)
    {
        string position = value.QueuePosition is { } p ? $", {p} ahead in the queue" : string.Empty;
        string percent = value.Percent is { } done ? $" {done}%" : string.Empty;
        string log = value.Log != null ? $", {value.Log}" : string.Empty;
        lock (_gate)
        {
            _status = value.Status + percent + position + log;
            _elapsed = value.Elapsed;
            _reportedAt = DateTime.UtcNow;
            if (_live)
            {
                Draw();
            }
            else
            {
                _error.WriteLine($"  [{Seconds(_elapsed)} s] {_status}");
            }
        }
    }

    /// <summary>Ends the live line (the wait is over): later output starts on a clean line.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            Clear();
            _status = null;
        }
    }

    public void Dispose()
    {
        _ticker?.Dispose();
        Finish();
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_status != null)
            {
                _frame++;
                Draw();
            }
        }
    }

    private void Draw()
    {
        if (!_live || _status == null)
        {
            return;
        }

        TimeSpan elapsed = _elapsed + (DateTime.UtcNow - _reportedAt);
        string line = $"  {Spinner[_frame % Spinner.Length]} [{Seconds(elapsed)} s] {_status}";
        int width = Width();
        if (line.Length > width - 1)
        {
            line = line.Substring(0, Math.Max(0, width - 2)) + "…";
        }

        // Carriage return, erase the line, the status: the cursor stays on the line so the next draw replaces it.
        _error.Write("\r\u001b[2K" + line);
        _error.Flush();
        _drawn = true;
    }

    private void Clear()
    {
        if (_drawn)
        {
            _error.Write("\r\u001b[2K");
            _error.Flush();
            _drawn = false;
        }
    }

    private int Width()
    {
        try
        {
            return Console.WindowWidth > 10 ? Console.WindowWidth : 80;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 80;
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
