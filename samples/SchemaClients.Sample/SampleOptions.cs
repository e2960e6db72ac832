using System;
using System.Globalization;

namespace SchemaClients.Sample
{
    /// <summary>Command-line options of the sample.</summary>
    internal sealed record SampleOptions(string Prompt, string Provider, string Model, int? Steps, double? Guidance, long? Seed, string Out, bool Emulator)
    {
        public const string Usage = """
            usage: dotnet run --project samples/SchemaClients.Sample -- "<prompt>" [--provider oxen|fal|apiframe] [--model flux-2-flex|flux-2-pro]
                   [--steps N] [--guidance X] [--seed N] [--out FILE] [--emulator]
              With the provider's key in its environment variable (OXEN_API_KEY, FAL_KEY, APIFRAME_API_KEY) the sample calls
              the provider; without it, or with --emulator, it calls the emulator it starts in this process.
              Calling a provider, SchemaClients__<Provider>__BaseAddress (and __QueueBaseAddress, for fal) point it elsewhere.
              Exit codes: 0 written, 1 the request breaks the schema, 2 bad arguments, 3 the provider or the network failed.
            """;

        private static readonly string[] Providers = { "oxen", "fal", "apiframe" };

        public static SampleOptions? Parse(string[] args, out string? error)
        {
            error = null;
            string? prompt = null;
            string provider = "fal";
            string model = "flux-2-flex";
            int? steps = null;
            double? guidance = null;
            long? seed = null;
            string output = "poster.png";
            bool emulator = false;
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (!arg.StartsWith("--", StringComparison.Ordinal))
                {
                    prompt = prompt == null ? arg : prompt + " " + arg;
                    continue;
                }

                if (arg == "--emulator")
                {
                    emulator = true;
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    error = $"{arg} needs a value.";
                    return null;
                }

                string value = args[++i];
                switch (arg)
                {
                    case "--provider": provider = value; break;
                    case "--model": model = value; break;
                    case "--out": output = value; break;
                    case "--steps" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s): steps = s; break;
                    case "--guidance" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double g): guidance = g; break;
                    case "--seed" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n): seed = n; break;
                    default:
                        error = $"'{arg} {value}' is not an option this sample understands, or the value is not a number.";
                        return null;
                }
            }

            if (Array.IndexOf(Providers, provider) < 0)
            {
                error = $"Unknown provider '{provider}'. Known: {string.Join(", ", Providers)}.";
                return null;
            }

            if (model != "flux-2-flex" && !(provider == "oxen" && model == "flux-2-pro"))
            {
                error = $"{provider} has no model '{model}' in schemas/.";
                return null;
            }

            return new SampleOptions(prompt ?? "a poster reading SUMMER SALE", provider, model, steps, guidance, seed, output, emulator);
        }
    }
}
