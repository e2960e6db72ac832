using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using SchemaClients.Generator.Diagnostics;
using SchemaClients.Generator.Model;
using SchemaClients.Generator.Reading;
using SchemaClients.Generator.Validation;
using SchemaClients.Shared.Validation;

namespace SchemaClients.Generator.Analysis
{
    /// <summary>
    /// Compile-time validation: a constant given to a property of a generated request type that the
    /// provider would reject is reported at the value, with the schema file and line of the rule.
    /// Non-constant values are left to <c>Validate()</c> at run time; nothing is guessed.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SchemaValueAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Property names in a diagnostic's properties that carry code fix candidates.</summary>
        public const string FixPrefix = "fix.";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ValueRules);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                SchemaRuleIndex index = SchemaRuleIndex.Build(start.Options.AdditionalFiles, start.Options.AnalyzerConfigOptionsProvider.GlobalOptions, start.CancellationToken);
                if (index.IsEmpty)
                {
                    return;
                }

                var typeNames = new ConcurrentDictionary<INamedTypeSymbol, string?>(SymbolEqualityComparer.Default);
                start.RegisterOperationAction(operation => Analyze(operation, index, typeNames), OperationKind.SimpleAssignment);
            });
        }

        private static void Analyze(OperationAnalysisContext context, SchemaRuleIndex index, ConcurrentDictionary<INamedTypeSymbol, string?> typeNames)
        {
            var assignment = (ISimpleAssignmentOperation)context.Operation;
            if (assignment.Target is not IPropertyReferenceOperation target)
            {
                return;
            }

            INamedTypeSymbol containing = target.Property.ContainingType;
            if (!typeNames.TryGetValue(containing, out string? typeName))
            {
                string name = containing.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty);
                typeName = index.HasType(name) ? name : null;
                typeNames.TryAdd(containing, typeName);
            }

            if (typeName == null)
            {
                return;
            }

            PropertyRule? rule = index.Find(typeName, target.Property.Name);
            if (rule == null)
            {
                return;
            }

            CheckValue(context, rule, rule.Property.Type, rule.Property.NodeId, assignment.Value, topLevel: true);
        }

        /// <summary>The operation under implicit conversions (int to int?, array to IReadOnlyList, ...).</summary>
        private static IOperation Unwrap(IOperation value)
        {
            while (value is IConversionOperation conversion && conversion.IsImplicit)
            {
                value = conversion.Operand;
            }

            return value;
        }

        private static Optional<object?> Constant(IOperation value)
        {
            if (value.ConstantValue.HasValue)
            {
                return value.ConstantValue;
            }

            IOperation inner = Unwrap(value);
            return inner.ConstantValue;
        }

        private static void CheckValue(OperationAnalysisContext context, PropertyRule rule, TypeRef type, int node, IOperation value, bool topLevel)
        {
            Optional<object?> constant = Constant(value);
            if (constant.HasValue && constant.Value == null)
            {
                PropertySpec property = rule.Property;
                if (topLevel && property.Required && !property.Nullable)
                {
                    Report(context, rule, value, "null", "required", "a value", null);
                }

                return;
            }

            Constraints c = type.Constraints;
            switch (type.Kind)
            {
                case ValueKind.Int32:
                case ValueKind.Int64:
                case ValueKind.Double:
                    if (constant.HasValue && IsNumber(constant.Value))
                    {
                        bool integer = type.Kind != ValueKind.Double;
                        double n = Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture);
                        PrimitiveValue Number(double x) => integer && x == Math.Floor(x) && Math.Abs(x) < 9.2e18 ? PrimitiveValue.Of((long)x) : PrimitiveValue.Of(x);
                        RawViolation? broken = rule.Graph.FirstViolation(node, Number(n));
                        if (broken != null)
                        {
                            IReadOnlyList<string>? fixes = CodeFixCandidates.ForNumber(c, n, integer, x => rule.Graph.FirstViolation(node, Number(x)) == null);
                            Report(context, rule, value, Format(n), broken.Value.Rule, broken.Value.Limit, fixes);
                        }
                    }

                    break;
                case ValueKind.String:
                    if (constant.HasValue && constant.Value is string s)
                    {
                        RawViolation? broken = rule.Graph.FirstViolation(node, PrimitiveValue.Of(s));
                        if (broken != null)
                        {
                            IReadOnlyList<string>? fixes = CodeFixCandidates.ForString(c, s, broken.Value.Rule, x => rule.Graph.FirstViolation(node, PrimitiveValue.Of(x)) == null);
                            Report(context, rule, value, JsonText.Quote(s), broken.Value.Rule, broken.Value.Limit, fixes);
                        }
                    }

                    break;
                case ValueKind.Boolean:
                    if (constant.HasValue && constant.Value is bool b)
                    {
                        RawViolation? broken = rule.Graph.FirstViolation(node, PrimitiveValue.Of(b));
                        if (broken != null)
                        {
                            Report(context, rule, value, b ? "true" : "false", broken.Value.Rule, broken.Value.Limit, null);
                        }
                    }

                    break;
                case ValueKind.List:
                    ImmutableArray<IOperation> items = KnownItems(Unwrap(value), out bool known);
                    if (!known)
                    {
                        return;
                    }

                    RawViolation? count = rule.Graph.FirstViolation(node, PrimitiveValue.List(items.Length, null));
                    if (count != null)
                    {
                        Report(context, rule, value, items.Length.ToString(CultureInfo.InvariantCulture) + " items", count.Value.Rule, count.Value.Limit, null);
                    }

                    int itemNode = NodeNavigation.ItemsOf(rule.Nodes, node);
                    if (itemNode >= 0)
                    {
                        foreach (IOperation item in items)
                        {
                            CheckValue(context, rule, type.Element!, itemNode, item, topLevel: false);
                        }
                    }

                    break;
            }
        }

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static bool IsNumber(object? value) => value is int || value is long || value is double || value is float || value is decimal
            || value is short || value is byte || value is sbyte || value is uint || value is ulong || value is ushort;

        /// <summary>The items of an array initializer or a collection expression without spreads; otherwise unknown.</summary>
        private static ImmutableArray<IOperation> KnownItems(IOperation value, out bool known)
        {
            known = false;
            if (value is IArrayCreationOperation array && array.Initializer != null)
            {
                known = true;
                return array.Initializer.ElementValues;
            }

            if (value is ICollectionExpressionOperation collection)
            {
                foreach (IOperation element in collection.Elements)
                {
                    if (element is ISpreadOperation)
                    {
                        return ImmutableArray<IOperation>.Empty;
                    }
                }

                known = true;
                return collection.Elements;
            }

            return ImmutableArray<IOperation>.Empty;
        }

        private static void Report(OperationAnalysisContext context, PropertyRule rule, IOperation value, string shown, string brokenRule, string limit, IReadOnlyList<string>? fixes)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.WithHelpLink(
                DiagnosticDescriptors.ForRule(brokenRule), GeneratorOptionsReader.HelpLinkRoot(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions));
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
            if (fixes != null)
            {
                for (int i = 0; i < fixes.Count; i++)
                {
                    properties = properties.Add(FixPrefix + i.ToString(CultureInfo.InvariantCulture), fixes[i]);
                }
            }

            LocationInfo? schemaLocation = rule.LocationOf(brokenRule);
            string where = Path.GetFileName(rule.FilePath) + (schemaLocation != null ? " line " + (schemaLocation.StartLine + 1).ToString(CultureInfo.InvariantCulture) : string.Empty);
            Location[] additional = schemaLocation != null ? new[] { schemaLocation.ToLocation() } : Array.Empty<Location>();
            context.ReportDiagnostic(Diagnostic.Create(
                descriptor,
                value.Syntax.GetLocation(),
                additional,
                properties,
                rule.TypeName + "." + rule.Property.CsName,
                shown,
                brokenRule,
                limit,
                rule.Provider,
                rule.Model,
                where));
        }
    }
}
