using System;
using System.Collections.Generic;
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


    /// <summary>The Microsoft.Extensions assemblies generated clients compile against, for a target framework folder (net8.0, net10.0).</summary>
    public static IEnumerable<string> ExtensionsReferences(string tfm)
    {
        string[] ids =
        {
            "microsoft.extensions.http", "microsoft.extensions.dependencyinjection.abstractions", "microsoft.extensions.logging.abstractions",
            "microsoft.extensions.options", "microsoft.extensions.primitives",
        };
        foreach (string id in ids)
        {
            string dir = Path.Combine(Metadata("NuGetPackageRoot"), id, Metadata("ExtensionsVersion"), "lib", tfm);
            if (!Directory.Exists(dir))
            {
                throw new DirectoryNotFoundException("Restore the test project first: " + dir + " is missing.");
            }

            foreach (string file in Directory.GetFiles(dir, "*.dll"))
            {
                yield return file;
            }
        }
    }

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
