using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SchemaClients.Emulator;

/// <summary>Runs the emulator until Ctrl+C: <c>dotnet run --project src/SchemaClients.Emulator -- [--root DIR] [--port N]</c>.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        string root = EmulatorOptions.FindRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();
        int port = 0;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--root": root = args[i + 1]; break;
                case "--port" when int.TryParse(args[i + 1], out int p): port = p; break;
                default:
                    Console.Error.WriteLine("usage: SchemaClients.Emulator [--root DIR] [--port N]");
                    return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        await using ProviderEmulator emulator = await ProviderEmulator.StartAsync(new EmulatorOptions { Root = root, Port = port });
        Console.WriteLine("listening on " + emulator.BaseUrl + " (key for every provider: emulator-key)");
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

        return 0;
    }
}
