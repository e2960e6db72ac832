using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace SchemaClients.Generator.Tests.Infrastructure;

/// <summary>Where the repository, the shared data and the reference assemblies are.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot => SchemaClients.Testing.TestRepository.Root;

    public static string Shared => SchemaClients.Testing.TestRepository.Shared;

    public static bool SharedAvailable => SchemaClients.Testing.TestRepository.SharedAvailable;

    public static string SharedMissingReason => SchemaClients.Testing.TestRepository.SharedMissingReason;

    public static string Schemas => Path.Combine(RepositoryRoot, "schemas");

    public static string Net8References => Metadata("Net8ReferencePath");

    public static string Net10References => Metadata("Net10ReferencePath");

    public static string ReportDirectory
    {
        get
        {
            string path = Path.Combine(RepositoryRoot, "artifacts", "test-reports");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    private static string Metadata(string key) => typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
