using System;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SchemaClients.Clients
{
    /// <summary>
    /// Registers a generated client over <see cref="IHttpClientFactory"/> with named options. Generated
    /// <c>Add{Provider}{Model}Client</c> extension methods call this; apps call those.
    /// </summary>
    public static class SchemaClientServiceCollectionExtensions
    {
        /// <summary>
        /// Registers <typeparamref name="TClient"/> as a transient service whose HttpClient comes from the factory under
        /// <paramref name="name"/> and whose options are the named <see cref="SchemaClientOptions"/> of that name
        /// (configure them here, with <c>services.Configure&lt;SchemaClientOptions&gt;(name, ...)</c>, or by binding).
        /// </summary>
        /// <returns>The HttpClient builder, to add handlers or configure the primary handler.</returns>
        public static IHttpClientBuilder AddSchemaClient<TClient>(
            this IServiceCollection services,
            string name,
            Action<SchemaClientOptions>? configure,
            Func<HttpClient, SchemaClientOptions, ILogger, TClient> create)
            where TClient : class
        {
            ArgumentNullException.ThrowIfNull(services);
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(create);
            services.AddOptions();
            if (configure != null)
            {
                services.Configure(name, configure);
            }

            IHttpClientBuilder builder = services.AddHttpClient(name);
            services.AddTransient(provider =>
            {
                HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);
                SchemaClientOptions options = provider.GetRequiredService<IOptionsMonitor<SchemaClientOptions>>().Get(name);
                ILogger logger = provider.GetService<ILoggerFactory>()?.CreateLogger(name) ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
                return create(http, options, logger);
            });
            return builder;
        }
    }
}
