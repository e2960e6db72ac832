using System;
using System.Net.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
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
            => AddSchemaClient(services, name, null, configure, create);

        /// <summary>
        /// Registers <typeparamref name="TClient"/> as <see cref="AddSchemaClient{TClient}(IServiceCollection, string, Action{SchemaClientOptions}?, Func{HttpClient, SchemaClientOptions, ILogger, TClient})"/>
        /// does, and first binds its options from the <see cref="IConfiguration"/> in the container (when there is one)
        /// at <paramref name="configurationSection"/>, for example <c>SchemaClients:Fal</c> (see
        /// <see cref="SchemaClientOptionsBinder"/>). <paramref name="configure"/> runs after it, so code wins over configuration.
        /// </summary>
        /// <remarks>The options are checked (<see cref="SchemaClientOptions.Validate"/>) when the host starts (<c>ValidateOnStart</c>) and whenever they are read: a wrong value stops the app at start-up with an <see cref="OptionsValidationException"/> naming it.</remarks>
        /// <returns>The HttpClient builder, to add handlers or configure the primary handler.</returns>
        public static IHttpClientBuilder AddSchemaClient<TClient>(
            this IServiceCollection services,
            string name,
            string? configurationSection,
            Action<SchemaClientOptions>? configure,
            Func<HttpClient, SchemaClientOptions, ILogger, TClient> create)
            where TClient : class
        {
            ArgumentNullException.ThrowIfNull(services);
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(create);
            // Stryker disable once Statement : AddOptions<T>() below registers the same services
            services.AddOptions();
            services.AddSingleton<IValidateOptions<SchemaClientOptions>>(new OptionsCheck(name));
            services.AddOptions<SchemaClientOptions>(name).ValidateOnStart();
            if (configurationSection != null)
            {
                services.AddOptions<SchemaClientOptions>(name).Configure<IServiceProvider>((options, provider) =>
                {
                    if (provider.GetService<IConfiguration>() is { } configuration)
                    {
                        SchemaClientOptionsBinder.Bind(options, configuration.GetSection(configurationSection));
                    }
                });
            }

            if (configure != null)
            {
                services.Configure(name, configure);
            }

            // The handler does not follow redirects: ProviderHttpClient does, and sends the key only to the origin it
            // was meant for (a handler would carry a custom header such as X-API-Key to any host a redirect names). Set
            // after every other configuration (PostConfigure), so a primary handler the app sets later is covered too.
            IHttpClientBuilder builder = services.AddHttpClient(name);
            services.PostConfigure<HttpClientFactoryOptions>(name, static options => options.HttpMessageHandlerBuilderActions.Add(static b => NoRedirects(b.PrimaryHandler)));
            services.AddTransient(provider =>
            {
                HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);
                SchemaClientOptions options = provider.GetRequiredService<IOptionsMonitor<SchemaClientOptions>>().Get(name);
                ILogger logger = provider.GetService<ILoggerFactory>()?.CreateLogger(name) ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
                return create(http, options, logger);
            });
            return builder;
        }

        /// <summary>Switches off the redirects a primary handler would follow on its own.</summary>
        private static void NoRedirects(HttpMessageHandler handler)
        {
            try
            {
                switch (handler)
                {
                    case SocketsHttpHandler sockets when sockets.AllowAutoRedirect:
                        sockets.AllowAutoRedirect = false;
                        break;
                    case HttpClientHandler client when client.AllowAutoRedirect:
                        client.AllowAutoRedirect = false;
                        break;
                }
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException(
                    "The primary handler of a schema client follows redirects and has already sent requests, so they cannot be switched off: "
                    + "give the client a handler of its own, or one with AllowAutoRedirect = false (the client follows redirects itself, sending the key only to the origin it was meant for).",
                    e);
            }
        }

        /// <summary>Runs <see cref="SchemaClientOptions.Validate"/> on one client's named options, at start-up and whenever they are read.</summary>
        private sealed class OptionsCheck(string name) : IValidateOptions<SchemaClientOptions>
        {
            public ValidateOptionsResult Validate(string? optionsName, SchemaClientOptions options)
            {
                if (optionsName != name)
                {
                    return ValidateOptionsResult.Skip;
                }

                try
                {
                    options.Validate();
                    return ValidateOptionsResult.Success;
                }
                catch (ArgumentException e)
                {
                    return ValidateOptionsResult.Fail("The options of " + name + ": " + e.Message);
                }
            }
        }
    }
}
