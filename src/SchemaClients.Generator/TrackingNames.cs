namespace SchemaClients.Generator
{
    /// <summary>Names of the pipeline steps, so tests can assert each one stays cached.</summary>
    internal static class TrackingNames
    {
        public const string Options = nameof(Options);
        public const string SchemaFiles = nameof(SchemaFiles);
        public const string Documents = nameof(Documents);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Specs = nameof(Specs);
        public const string Sources = nameof(Sources);
        public const string ContextEntries = nameof(ContextEntries);
        public const string JsonContext = nameof(JsonContext);
        public const string Setup = nameof(Setup);
    }
}
