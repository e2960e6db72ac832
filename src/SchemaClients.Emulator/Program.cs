using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Emulator;

/// <summary>Runs the emulator until Ctrl+C or SIGTERM: <c>dotnet run --project src/SchemaClients.Emulator -- [--root DIR] [--port N]</c>.</summary>
public static class Program
{
    private const string Usage = """
        usage: SchemaClients.Emulator [--root DIR] [--port N]

        Serves the providers' documented endpoints (fal, Oxen, apiframe) on 127.0.0.1 until Ctrl+C or SIGTERM.
          --root DIR   the repository root whose schemas/ it serves (default: found from the current folder upwards,
                       else the copies built into the emulator)
          --port N     the port to listen on (default: a free one, printed at start)
          -h, --help   this text
        Exit codes: 0 stopped, 2 bad usage.
        """;

    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        string? root = EmulatorOptions.FindRoot(Directory.GetCurrentDirectory());
        int port = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                Console.WriteLine(Usage);
                return 0;
            }

            string? value = i + 1 < args.Length ? args[i + 1] : null;
            if (arg == "--root" && value != null)
            {
                root = value;
                i++;
            }
            else if (arg == "--port" && value != null && int.TryParse(value, out int p) && p is >= 0 and <= 65535)
            {
                port = p;
                i++;
            }
            else
            {
                Console.Error.WriteLine(arg is "--root" or "--port"
                    ? arg + " needs a value" + (arg == "--port" ? " from 0 to 65535" : string.Empty) + (value != null ? ", not '" + value + "'" : string.Empty)
                    : "'" + arg + "' is not an option");
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

        // A service manager or a container stops a process with SIGTERM: the emulator stops as it does on Ctrl+C.
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = root, Port = port });
        Console.WriteLine("listening on " + emulator.BaseUrl + " (key for every provider: emulator-key)");
        Console.WriteLine(root != null ? "schemas from " + Path.Combine(root, "schemas") : "schemas: the copies built into the emulator");
        Console.WriteLine("schema documents:");
        foreach (string path in emulator.DocumentPaths)
        {
            Console.WriteLine("  GET " + path);
        }

        Console.WriteLine("inference: POST /fal-ai/flux-2-flex (sync), POST /queue/fal-ai/flux-2-flex (+ /requests/{id}, /status, /status/stream, /cancel),");
        Console.WriteLine("           POST /api/ai/images/edit, POST /api/ai/queue, GET /api/ai/queue/{id}, GET /api/events (SSE),");
        Console.WriteLine("           POST /v2/images/generate (202 job), GET /v2/jobs/{id}; images under /files/");

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("stopped");
        return 0;
    }
}
