using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SchemaClients.Generator.Tests")]
