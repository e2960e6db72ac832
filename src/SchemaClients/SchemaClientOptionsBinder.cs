using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using SchemaClients.Http;

namespace SchemaClients
{
    /// <summary>
    /// Reads <see cref="SchemaClientOptions"/> from configuration without reflection (so it is trimming and AOT
    /// safe), from a section per provider: <c>SchemaClients:Fal</c>, <c>SchemaClients:Oxen</c>,
    /// <c>SchemaClients:Apiframe</c>. With the usual environment-variable provider that is
    /// <c>SchemaClients__Fal__BaseAddress</c> and so on. Keys:
    /// <c>BaseAddress</c>, <c>QueueBaseAddress</c>, <c>StorageBaseAddress</c> (absolute http or https URLs), <c>ApiKey</c>,
    /// <c>ApiKeyEnvironmentVariable</c>, <c>ValidateBeforeSend</c> and <c>InlineImages</c> (true/false), <c>PollInterval</c> and
    /// <c>WaitTimeout</c> (a TimeSpan such as <c>00:00:02</c>, or seconds such as <c>2.5</c>), and under <c>Retry</c>:
    /// <c>MaxRetries</c>, <c>BaseDelay</c>, <c>MaxDelay</c>, <c>AttemptTimeout</c>, <c>RetryBilledCalls</c>.
    /// A key that is not one of these, or a value that does not parse, is an error that names the key and the
    /// value (never the value of <c>ApiKey</c>).
    /// </summary>
    public static class SchemaClientOptionsBinder
    {
        /// <summary>The configuration root all providers' sections sit under.</summary>
        public const string RootSection = "SchemaClients";

        private static readonly string[] Keys = { "BaseAddress", "QueueBaseAddress", "StorageBaseAddress", "InlineImages", "ApiKey", "ApiKeyEnvironmentVariable", "ValidateBeforeSend", "PollInterval", "WaitTimeout", "Retry" };
        private static readonly string[] RetryKeys = { "MaxRetries", "BaseDelay", "MaxDelay", "AttemptTimeout", "RetryBilledCalls" };

        /// <summary>The section of a provider: <c>SchemaClients:</c> and its name in PascalCase (<c>fal</c> gives <c>SchemaClients:Fal</c>).</summary>
        /// <param name="provider">The provider, as the schema folder names it.</param>
        public static string SectionFor(string provider)
        {
            ArgumentException.ThrowIfNullOrEmpty(provider);
            var name = new System.Text.StringBuilder(provider.Length);
            bool upper = true;
            foreach (char c in provider)
            {
                if (!char.IsLetterOrDigit(c))
                {
                    upper = true;
                    continue;
                }

                name.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }

            return RootSection + ":" + name;
        }

        /// <summary>Sets on <paramref name="options"/> every value <paramref name="section"/> has; values it lacks are kept.</summary>
        /// <param name="options">The options to change.</param>
        /// <param name="section">A provider's section, for example <c>configuration.GetSection("SchemaClients:Fal")</c>.</param>
        /// <returns><paramref name="options"/>.</returns>
        /// <exception cref="InvalidOperationException">A key is unknown or a value does not parse; the message names the key.</exception>
        public static SchemaClientOptions Bind(SchemaClientOptions options, IConfiguration section)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(section);
            string path = section is IConfigurationSection s ? s.Path : string.Empty;
            CheckKeys(section, path, Keys);
            if (Value(section, "BaseAddress") is { } baseAddress)
            {
                options.BaseAddress = ParseUrl(path, "BaseAddress", baseAddress);
            }

            if (Value(section, "QueueBaseAddress") is { } queue)
            {
                options.QueueBaseAddress = ParseUrl(path, "QueueBaseAddress", queue);
            }

            if (Value(section, "StorageBaseAddress") is { } storage)
            {
                options.StorageBaseAddress = ParseUrl(path, "StorageBaseAddress", storage);
            }

            if (Value(section, "InlineImages") is { } inline)
            {
                options.InlineImages = ParseBool(path, "InlineImages", inline);
            }

            if (Value(section, "ApiKey") is { } key)
            {
                options.ApiKey = key;
            }

            if (Value(section, "ApiKeyEnvironmentVariable") is { } variable)
            {
                options.ApiKeyEnvironmentVariable = variable;
            }

            if (Value(section, "ValidateBeforeSend") is { } validate)
            {
                options.ValidateBeforeSend = ParseBool(path, "ValidateBeforeSend", validate);
            }

            if (Value(section, "PollInterval") is { } poll)
            {
                options.PollInterval = ParseTime(path, "PollInterval", poll);
            }

            if (Value(section, "WaitTimeout") is { } wait)
            {
                options.WaitTimeout = ParseTime(path, "WaitTimeout", wait);
            }

            IConfigurationSection retry = section.GetSection("Retry");
            if (retry.Value != null)
            {
                throw Invalid(path, "Retry", retry.Value, "a section (Retry:MaxRetries, Retry:BaseDelay, ...), not a value");
            }

            CheckKeys(retry, Join(path, "Retry"), RetryKeys);
            string retryPath = Join(path, "Retry");
            RetryOptions r = options.Retry;
            options.Retry = new RetryOptions
            {
                MaxRetries = Value(retry, "MaxRetries") is { } max ? ParseCount(retryPath, "MaxRetries", max) : r.MaxRetries,
                BaseDelay = Value(retry, "BaseDelay") is { } baseDelay ? ParseTime(retryPath, "BaseDelay", baseDelay) : r.BaseDelay,
                MaxDelay = Value(retry, "MaxDelay") is { } maxDelay ? ParseTime(retryPath, "MaxDelay", maxDelay) : r.MaxDelay,
                AttemptTimeout = Value(retry, "AttemptTimeout") is { } timeout ? ParseTime(retryPath, "AttemptTimeout", timeout) : r.AttemptTimeout,
                RetryBilledCalls = Value(retry, "RetryBilledCalls") is { } billed ? ParseBool(retryPath, "RetryBilledCalls", billed) : r.RetryBilledCalls,
            };
            return options;
        }

        private static string? Value(IConfiguration section, string key)
        {
            string? value = section[key];
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        private static void CheckKeys(IConfiguration section, string path, string[] known)
        {
            foreach (IConfigurationSection child in section.GetChildren())
            {
                if (Array.FindIndex(known, k => string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase)) < 0)
                {
                    throw new InvalidOperationException(
                        "Configuration key " + Join(path, child.Key) + " is not a SchemaClients option. Known: " + string.Join(", ", known) + ".");
                }
            }
        }

        private static string Join(string path, string key) => path.Length == 0 ? key : path + ":" + key;

        private static InvalidOperationException Invalid(string path, string key, string value, string expected)
            => new("Configuration value " + Join(path, key) + " = '" + value + "' is not " + expected + ".");

        private static Uri ParseUrl(string path, string key, string value)
            => HttpUrls.Parse(value) is Uri url
                ? url
                : throw Invalid(path, key, value, "an absolute http or https URL");

        private static bool ParseBool(string path, string key, string value)
            => bool.TryParse(value, out bool result) ? result : throw Invalid(path, key, value, "true or false");

        private static int ParseCount(string path, string key, string value)
            => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) && result >= 0 ? result : throw Invalid(path, key, value, "a whole number from 0");

        private static TimeSpan ParseTime(string path, string key, string value)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out TimeSpan time) && time >= TimeSpan.Zero
                ? time
                : throw Invalid(path, key, value, "a duration (00:00:02, or seconds such as 2.5)");
        }
    }
}
