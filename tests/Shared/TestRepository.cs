using System;
using System.IO;

namespace SchemaClients.Testing;

/// <summary>Where the repository and the shared data (../shared beside the clone, as CI has it) are; linked into every test project.</summary>
internal static class TestRepository
{
    private static readonly Lazy<string> RootValue = new(() =>
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Generators.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The folder with Generators.sln.</summary>
    public static string Root => RootValue.Value;

    /// <summary>../shared beside the clone, or SCHEMACLIENTS_SHARED.</summary>
    public static string Shared => Environment.GetEnvironmentVariable("SCHEMACLIENTS_SHARED") ?? Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>Whether the shared corpus and test suites are there.</summary>
    public static bool SharedAvailable => Directory.Exists(Path.Combine(Shared, "schema-corpus"));

    /// <summary>Why shared-data tests are skipped.</summary>
    public static string SharedMissingReason => "../shared is not beside this clone (" + Shared + "); tests over the shared corpus and test suites are skipped. CI provides it.";
}

/// <summary>A fact that needs ../shared: skipped, with the reason, when it is absent (never passed silently).</summary>
public sealed class SharedFactAttribute : Xunit.FactAttribute
{
    public SharedFactAttribute()
    {
        if (!TestRepository.SharedAvailable)
        {
            Skip = TestRepository.SharedMissingReason;
        }
    }
}

/// <summary>A theory that needs ../shared: skipped, with the reason, when it is absent.</summary>
public sealed class SharedTheoryAttribute : Xunit.TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!TestRepository.SharedAvailable)
        {
            Skip = TestRepository.SharedMissingReason;
        }
    }
}
