using System;
using System.Collections.Generic;
using SchemaClients.Generator.Naming;

namespace SchemaClients.Generator.Model
{
    /// <summary>
    /// The names of what the generator declares beside a document's own types. The parser keeps the document's types
    /// and members off them; the emitter writes them.
    /// </summary>
    internal static class GeneratedNames
    {
        /// <summary>The document's schema graph and its validation entry points.</summary>
        public const string ValidatorClass = "SchemaValidator";

        /// <summary>The document's JSON converters, one per generated type.</summary>
        public const string ConverterClass = "SchemaConverters";

        /// <summary>The document's node constants, each named after what it checks.</summary>
        public const string NodesClass = "SchemaNodes";

        /// <summary>The one JSON context of the compilation, in its root namespace.</summary>
        public const string JsonContextClass = "SchemaClientsJsonContext";

        /// <summary>The classes every document's namespace holds besides its types and client.</summary>
        public static readonly IReadOnlyList<string> DocumentClasses = new[] { ValidatorClass, ConverterClass, NodesClass };

        /// <summary>
        /// The converter of each generated type inside <see cref="ConverterClass"/>: the type's name and <c>Converter</c>,
        /// numbered when a type of the document already has that name.
        /// </summary>
        public static Dictionary<string, string> Converters(DocumentSpec document)
        {
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (TypeSpec type in document.Types)
            {
                taken.Add(type.Name);
            }

            var converters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (TypeSpec type in document.Types)
            {
                converters[type.Name] = Identifiers.Unique(type.Name + "Converter", taken);
            }

            return converters;
        }
    }
}
