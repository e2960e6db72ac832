using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SchemaClients.Generator.Tests")]
[assembly: InternalsVisibleTo("SchemaClients.Cli")]
[assembly: InternalsVisibleTo("SchemaClients.Cli.Tests")]
[assembly: InternalsVisibleTo("SchemaClients.Benchmarks")]
