using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SchemaClients.Cli.Tests")]
