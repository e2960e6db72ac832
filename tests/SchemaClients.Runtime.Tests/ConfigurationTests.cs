using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SchemaClients.Clients;
using SchemaClients.Http;
using SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;
using Xunit;
using ApiframeFlex = SchemaClients.Runtime.Tests.Schemas.Apiframe.Flux2Flex;
using FalFlex = SchemaClients.Runtime.Tests.Schemas.Fal.Flux2Flex;
using OxenFlex = SchemaClients.Runtime.Tests.Schemas.Oxen.Flux2Flex;

namespace SchemaClients.Runtime.Tests;

/// <summary>Options from configuration sections named after the provider, as an app's host would supply them.</summary>
public sealed class ConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values)
    {
        var data = new Dictionary<string, string?>();
        foreach ((string key, string value) in values)
        {
            data[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(data).Build();
    }

    [Theory]
    [InlineData("fal", "SchemaClients:Fal")]
    [InlineData("oxen", "SchemaClients:Oxen")]
    [InlineData("apiframe", "SchemaClients:Apiframe")]
    [InlineData("black-forest-labs", "SchemaClients:BlackForestLabs")]
    public void EachProviderHasItsSection(string provider, string section) => Assert.Equal(section, SchemaClientOptionsBinder.SectionFor(provider));

    [Fact]
    public void EveryOptionBindsFromItsSection()
    {
        IConfiguration config = Config(
            ("SchemaClients:Fal:BaseAddress", "http://127.0.0.1:5001/"),
            ("SchemaClients:Fal:QueueBaseAddress", "http://127.0.0.1:5002/queue"),
            ("SchemaClients:Fal:ApiKey", "k"),
            ("SchemaClients:Fal:ApiKeyEnvironmentVariable", "MY_FAL_KEY"),
            ("SchemaClients:Fal:ValidateBeforeSend", "false"),
            ("SchemaClients:Fal:PollInterval", "00:00:02.5"),
            ("SchemaClients:Fal:WaitTimeout", "90"),
            ("SchemaClients:Fal:Retry:MaxRetries", "0"),
            ("SchemaClients:Fal:Retry:BaseDelay", "0.25"),
            ("SchemaClients:Fal:Retry:MaxDelay", "00:00:10"),
            ("SchemaClients:Fal:Retry:AttemptTimeout", "30"),
            ("SchemaClients:Fal:Retry:RetryBilledCalls", "true"));
        SchemaClientOptions options = SchemaClientOptionsBinder.Bind(new SchemaClientOptions(), config.GetSection("SchemaClients:Fal"));

        Assert.Equal(new Uri("http://127.0.0.1:5001/"), options.BaseAddress);
        Assert.Equal(new Uri("http://127.0.0.1:5002/queue"), options.QueueBaseAddress);
        Assert.Equal("k", options.ApiKey);
        Assert.Equal("MY_FAL_KEY", options.ApiKeyEnvironmentVariable);
        Assert.False(options.ValidateBeforeSend);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), options.WaitTimeout);
        Assert.Equal(0, options.Retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(0.25), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Retry.MaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Retry.AttemptTimeout);
        Assert.True(options.Retry.RetryBilledCalls);
    }

    [Fact]
    public void ValuesTheSectionLacksAreKept()
    {
        var options = new SchemaClientOptions { ApiKey = "from-code", Retry = new RetryOptions { MaxRetries = 7 } };
        SchemaClientOptionsBinder.Bind(options, Config(("SchemaClients:Oxen:BaseAddress", "https://proxy.example/")).GetSection("SchemaClients:Oxen"));
        Assert.Equal("from-code", options.ApiKey);
        Assert.Equal(7, options.Retry.MaxRetries);
        Assert.Equal(new Uri("https://proxy.example/"), options.BaseAddress);
    }

    [Theory]
    [InlineData("BaseAddress", "not a url", "SchemaClients:Fal:BaseAddress = 'not a url' is not an absolute http or https URL")]
    [InlineData("BaseAddress", "ftp://x/", "is not an absolute http or https URL")]
    [InlineData("ValidateBeforeSend", "yes", "SchemaClients:Fal:ValidateBeforeSend = 'yes' is not true or false")]
    [InlineData("Retry:MaxRetries", "-1", "SchemaClients:Fal:Retry:MaxRetries = '-1' is not a whole number from 0")]
    [InlineData("PollInterval", "soon", "SchemaClients:Fal:PollInterval = 'soon' is not a duration")]
    [InlineData("BaseAdress", "http://x/", "SchemaClients:Fal:BaseAdress is not a SchemaClients option")]
    [InlineData("Retry:Count", "2", "SchemaClients:Fal:Retry:Count is not a SchemaClients option")]
    public void ABadValueOrAnUnknownKeyNamesTheKey(string key, string value, string message)
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => SchemaClientOptionsBinder.Bind(new SchemaClientOptions(), Config(("SchemaClients:Fal:" + key, value)).GetSection("SchemaClients:Fal")));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheKeysValueIsNeverInABindingError()
    {
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => SchemaClientOptionsBinder.Bind(
            new SchemaClientOptions(),
            Config(("SchemaClients:Fal:ApiKey", "secret-value-42"), ("SchemaClients:Fal:WaitTimeout", "never")).GetSection("SchemaClients:Fal")));
        Assert.DoesNotContain("secret-value-42", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDiExtensionsBindTheirProvidersSectionAndCodeWinsOverIt()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Config(
            ("SchemaClients:Fal:BaseAddress", "http://127.0.0.1:6001/"),
            ("SchemaClients:Fal:QueueBaseAddress", "http://127.0.0.1:6002/"),
            ("SchemaClients:Fal:ApiKey", "fal-from-config"),
            ("SchemaClients:Oxen:BaseAddress", "http://127.0.0.1:6003/"),
            ("SchemaClients:Oxen:ApiKey", "oxen-from-config"),
            ("SchemaClients:Apiframe:BaseAddress", "http://127.0.0.1:6004/"),
            ("SchemaClients:Apiframe:ApiKey", "apiframe-from-config")));
        services.AddFalFlux2FlexClient();
        services.AddOxenFlux2FlexClient(o => o.BaseAddress = new Uri("http://127.0.0.1:6005/"));
        services.AddApiframeFlux2FlexClient();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(new Uri("http://127.0.0.1:6001/"), provider.GetRequiredService<FalFlex.FalFlux2FlexClient>().BaseAddress);
        Assert.Equal(new Uri("http://127.0.0.1:6005/"), provider.GetRequiredService<OxenFlex.OxenFlux2FlexClient>().BaseAddress);
        Assert.Equal(new Uri("http://127.0.0.1:6004/"), provider.GetRequiredService<ApiframeFlex.ApiframeFlux2FlexClient>().BaseAddress);
    }

    [Fact]
    public async Task TheEnvironmentVariableFormPointsAClientAtAnotherServer()
    {
        // SchemaClients__Fal__BaseAddress, read by the usual environment provider (a unique prefix keeps this test to itself).
        string prefix = "SCTEST_" + Guid.NewGuid().ToString("N") + "_";
        await using ReplayServer server = await ReplayServer.StartAsync();
        server.On("POST", "/fal-ai/flux-2-flex", Scripted.Json(200, DocumentedAnswers.FalExampleOutput));
        Environment.SetEnvironmentVariable(prefix + "SchemaClients__Fal__BaseAddress", server.BaseUrl.AbsoluteUri);
        Environment.SetEnvironmentVariable(prefix + "SchemaClients__Fal__ApiKey", "env-key");
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build());
            services.AddFalFlux2FlexClient();
            using ServiceProvider provider = services.BuildServiceProvider();
            FalFlex.Flux2FlexOutput output = await provider.GetRequiredService<FalFlex.FalFlux2FlexClient>().RunAsync(new FalFlex.Flux2FlexInput { Prompt = "p" });
            Assert.Equal(DocumentedAnswers.FalExampleImage, output.Images![0].Url);
            Assert.Equal("Key env-key", Assert.Single(server.Requests).Header("Authorization"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "SchemaClients__Fal__BaseAddress", null);
            Environment.SetEnvironmentVariable(prefix + "SchemaClients__Fal__ApiKey", null);
        }
    }

    [Fact]
    public void WithoutConfigurationInTheContainerTheExtensionsStillWork()
    {
        var services = new ServiceCollection();
        services.AddFalFlux2FlexClient(o => o.ApiKey = "k");
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(new Uri("https://fal.run"), provider.GetRequiredService<FalFlex.FalFlux2FlexClient>().BaseAddress);
    }
}
