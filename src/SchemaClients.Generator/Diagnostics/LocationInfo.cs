using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SchemaClients.Generator.Diagnostics
{
    /// <summary>A place in a schema file as plain values, so it can live in an equatable model.</summary>
    internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
    {
        public Location ToLocation() => Location.Create(
            FilePath,
            new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));

        /// <summary>One-based line and column, as a person reads them.</summary>
        public string Display => FilePath + "(" + (StartLine + 1) + "," + (StartColumn + 1) + ")";
    }
}
