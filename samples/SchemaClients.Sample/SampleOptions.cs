using System;
using System.CommandLine;
using System.Collections.Generic;
using System.IO;

namespace SchemaClients.Sample
{
    /// <summary>Command-line options of the sample.</summary>
    internal sealed record SampleOptions(string Prompt, string Provider, string Model, int? Steps, double? Guidance, long? Seed, string Out, bool Emulator, IReadOnlyList<string>? Images = null, bool Sync = false)
    {
        /// <summary>The reference images (--image): URLs and local files, in order; empty for a plain generation.</summary>
        public IReadOnlyList<string> ImageSources => Images ?? Array.Empty<string>();

        /// <summary>Every exit code the sample ends with, as its help gives them.</summary>
        public const string ExitCodes = "Exit codes: 0 the image is written, 1 the request breaks the schema, 2 bad arguments, 3 the provider or the network failed, 130 cancelled (Ctrl+C).";

        private const string About = """
            Generates an image with the clients generated from schemas/. With the provider's key in its environment
            variable (OXEN_API_KEY, FAL_KEY, APIFRAME_API_KEY) it calls the provider; without it, or with --emulator,
            it calls the emulator it starts in this process. Calling a provider, SchemaClients__<Provider>__BaseAddress
            (and __QueueBaseAddress, for fal) point it elsewhere.
            """;

        /// <summary>
        /// Reads the command line. Returns the options to run with; or null, with the exit code to end with: 0 after
        /// <c>--help</c>, 2 after an error, which is written to <paramref name="error"/> before anything is sent.
        /// </summary>
        public static SampleOptions? Parse(string[] args, TextWriter output, TextWriter error, out int exitCode)
        {
            var prompt = new Argument<string[]>("prompt") { Description = "What the image shows; the words are joined with spaces.", Arity = ArgumentArity.ZeroOrMore };
            var provider = new Option<string>("--provider") { Description = "Who generates it: oxen, fal or apiframe.", DefaultValueFactory = _ => "fal" };
            provider.AcceptOnlyFromAmong("oxen", "fal", "apiframe");
            var model = new Option<string>("--model") { Description = "flux-2-flex (every provider) or flux-2-pro (oxen).", DefaultValueFactory = _ => "flux-2-flex" };
            model.AcceptOnlyFromAmong("flux-2-flex", "flux-2-pro");
            var steps = new Option<int?>("--steps") { Description = "Inference steps; each provider's schema says the range.", CustomParser = r => Number<int>(r, "a whole number", int.TryParse) };
            var guidance = new Option<double?>("--guidance") { Description = "Guidance scale; each provider's schema says the range.", CustomParser = r => Number<double>(r, "a number", double.TryParse) };
            var seed = new Option<long?>("--seed") { Description = "The seed, for a repeatable image.", CustomParser = r => Number<long>(r, "a whole number", long.TryParse) };
            prompt.Validators.Add(result =>
            {

                foreach (System.CommandLine.Parsing.Token token in result.Tokens)
                {
                    if (token.Value.StartsWith("-", StringComparison.Ordinal))
                    {
                        result.AddError("'" + token.Value + "' is not an option of this sample.");
                    }
                }
            });
            var outFile = new Option<string>("--out") { Description = "The file to write the image to; its folder must exist.", DefaultValueFactory = _ => "poster.png" };
            var emulator = new Option<bool>("--emulator") { Description = "Call the built-in emulator even when a key is set." };
            var image = new Option<string[]>("--image")
            {
                Description = "A reference image to edit from: an https URL or a local file (PNG, JPEG, WebP). Repeat it for several, up to the schema's limit (10). Oxen and apiframe take URLs only: a local file is uploaded to fal's CDN (FAL_KEY) or, with the emulator, to its copy of that CDN.",
                AllowMultipleArgumentsPerToken = false,
            };
            var sync = new Option<bool>("--sync") { Description = "fal only: ask for sync_mode, so the image comes back inline as a data URI (not kept in fal's request history) and is saved from it." };
            var root = new RootCommand(About + "\n" + ExitCodes) { prompt, provider, model, steps, guidance, seed, outFile, emulator, image, sync };

            SampleOptions? parsed = null;
            root.SetAction(result =>
            {
                // Checked here: with no words at all the argument has no result for a validator to see.
                if ((result.GetValue(prompt) ?? Array.Empty<string>()).Length == 0)
                {
                    error.WriteLine("A prompt is required: what the image shows, for example \"a poster reading SUMMER SALE\".");
                    error.WriteLine("Run with --help for the options.");
                    return 2;
                }

                parsed = new SampleOptions(
                    string.Join(" ", result.GetValue(prompt)!), result.GetValue(provider)!, result.GetValue(model)!,
                    result.GetValue(steps), result.GetValue(guidance), result.GetValue(seed), result.GetValue(outFile)!, result.GetValue(emulator),
                    result.GetValue(image) ?? Array.Empty<string>(), result.GetValue(sync));
                return 0;
            });

            ParseResult parse = root.Parse(args);
            parse.InvocationConfiguration.Output = output;
            parse.InvocationConfiguration.Error = error;
            if (parse.Errors.Count > 0)
            {
                foreach (System.CommandLine.Parsing.ParseError problem in parse.Errors)
                {
                    error.WriteLine(problem.Message);
                }

                error.WriteLine("Run with --help for the options.");
                exitCode = 2;
                return null;
            }

            exitCode = parse.Invoke();
            if (parsed == null)
            {
                return null; // --help: printed, nothing to run
            }

            string? problemText = parsed.Model == "flux-2-pro" && parsed.Provider != "oxen"
                ? parsed.Provider + " has no model 'flux-2-pro' in schemas/ (only oxen has)."
                : parsed.Sync && parsed.Provider != "fal"
                ? "--sync is fal's sync_mode; " + parsed.Provider + " documents no such option."
                : parsed.ImageSources.Count > 0 && parsed.Provider == "fal"
                ? "--image: fal-ai/flux-2-flex in schemas/fal is fal's text-to-image endpoint, and its schema has no image input. Edit with --provider oxen or apiframe, or add the schema of fal's edit endpoint to schemas/fal."
                : CheckImages(parsed.ImageSources) ?? CheckOut(parsed.Out);
            if (problemText != null)
            {
                error.WriteLine(problemText);
                exitCode = 2;
                return null;
            }

            return parsed;
        }

        private delegate bool TryParse<T>(string text, System.Globalization.NumberStyles styles, IFormatProvider provider, out T value);

        /// <summary>An option's number, or an error that names the option, the value and what it must be.</summary>
        private static T? Number<T>(System.CommandLine.Parsing.ArgumentResult result, string what, TryParse<T> parse)
            where T : struct
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (parse(text, System.Globalization.NumberStyles.Float & ~(typeof(T) == typeof(double) ? 0 : System.Globalization.NumberStyles.AllowDecimalPoint | System.Globalization.NumberStyles.AllowExponent), System.Globalization.CultureInfo.InvariantCulture, out T value))
            {
                return value;
            }

            result.AddError((result.Parent is System.CommandLine.Parsing.OptionResult option ? option.Option.Name : "the value") + " needs " + what + ", not '" + text + "'.");
            return null;
        }

        /// <summary>Each --image is an http(s) URL or a file that exists, checked before anything is sent.</summary>
        private static string? CheckImages(IReadOnlyList<string> images)
        {
            foreach (string source in images)
            {
                bool url = Uri.TryCreate(source, UriKind.Absolute, out Uri? parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp);
                if (!url && !File.Exists(source))
                {
                    return "--image '" + source + "' is neither an http(s) URL nor a file that exists.";
                }
            }

            return null;
        }

        /// <summary>Whether the image can be written where --out says, checked before anything is sent (and billed).</summary>
        private static string? CheckOut(string path)
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                return "--out '" + path + "' is a folder; give a file name.";
            }

            string? folder = Path.GetDirectoryName(full);
            if (folder == null || !Directory.Exists(folder))
            {
                return "--out '" + path + "': the folder '" + folder + "' does not exist.";
            }

            string probe = Path.Combine(folder, ".schemaclients-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllBytes(probe, Array.Empty<byte>());
                File.Delete(probe);
                return null;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                return "--out '" + path + "': cannot write in '" + folder + "' (" + e.Message + ").";
            }
        }
    }
}
