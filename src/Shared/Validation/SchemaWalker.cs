using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SchemaClients.Shared.Validation
{
    /// <summary>
    /// The one validator: checks a value against a node of a <see cref="NodeGraph"/>, keyword by keyword, recording
    /// each violation with its path. The same code checks payloads at run time (<c>JsonElement</c>), typed values and
    /// compile-time constants (<see cref="PrimitiveValue"/>), and schema defaults at build time (the generator's syntax
    /// tree). It allocates nothing while the value is valid.
    /// </summary>
    internal static class SchemaWalker<TValue, TItems, TMembers, TAccess>
        where TAccess : struct, IJsonAccess<TValue, TItems, TMembers>
    {
        /// <summary>How deeply schemas may nest while one value is checked; past it the value is reported, not accepted.</summary>
        public const int MaxDepth = 256;

        private const int ShownLength = 60;

        public static bool Check(ref ValidationState state, TAccess access, int id, TValue value)
        {
            if (state.Budget != null && --state.Budget.Remaining < 0)
            {
                state.Add("budget", "too much work for one value", Shown(access, value));
                return false;
            }

            if (state.Depth >= MaxDepth)
            {
                state.Add("depth", MaxDepth.ToString(CultureInfo.InvariantCulture) + " nested schemas", Shown(access, value));
                return false;
            }

            GraphNode node = state.Graph.Nodes[id];
            bool entered = false;
            if (state.Graph.HasDynamicRefs)
            {
                // The dynamic scope: the schema resources evaluation has entered, outermost first.
                state.Scope ??= new System.Collections.Generic.List<int>();
                if (state.Scope.Count == 0 || state.Scope[state.Scope.Count - 1] != node.Resource)
                {
                    state.Scope.Add(node.Resource);
                    entered = true;
                }
            }

            state.Depth++;
            try
            {
                if (!node.TracksEvaluation || node.Boolean.HasValue)
                {
                    return CheckNode(ref state, access, node, value);
                }

                // unevaluated* here or in a schema that applies this one: this node's keywords record what they
                // evaluate in a collector of its own, passed on to the caller's only when the node holds.
                Evaluated? outer = state.Collect;
                var own = new Evaluated();
                state.Collect = own;
                bool valid;
                try
                {
                    valid = CheckNode(ref state, access, node, value);
                }
                finally
                {
                    state.Collect = outer;
                }

                if (valid && outer != null)
                {
                    outer.Merge(own);
                }

                return valid;
            }
            finally
            {
                state.Depth--;
                if (entered)
                {
                    state.Scope!.RemoveAt(state.Scope.Count - 1);
                }
            }
        }

        /// <summary>Applies a schema to the same value (in place); false when it failed and the check can stop.</summary>
        private static bool Apply(ref ValidationState state, TAccess access, int id, TValue value, ref bool ok)
        {
            if (Check(ref state, access, id, value))
            {
                return true;
            }

            ok = false;
            return !state.Silent;
        }

        /// <summary>Checks a member's value at its path; false when it failed and the check can stop.</summary>
        private static bool CheckMember(ref ValidationState state, TAccess access, string name, int id, TValue value, ref bool ok)
        {
            state.Enter(name);
            bool valid = CheckChild(ref state, access, id, value);
            state.Leave();
            if (valid)
            {
                return true;
            }

            ok = false;
            return !state.Silent;
        }

        /// <summary>Checks a member's value or an item: another value, so nothing it evaluates counts for this one.</summary>
        private static bool CheckChild(ref ValidationState state, TAccess access, int id, TValue value)
        {
            Evaluated? outer = state.Collect;
            state.Collect = null;
            try
            {
                return Check(ref state, access, id, value);
            }
            finally
            {
                state.Collect = outer;
            }
        }

        /// <summary>Checks a branch silently; when collecting, what it evaluated counts only if it holds.</summary>
        private static bool CheckBranch(ref ValidationState state, TAccess access, int id, TValue value)
        {
            ValidationState silent = state.Branch();
            if (state.Collect == null)
            {
                return Check(ref silent, access, id, value);
            }

            var branch = new Evaluated();
            silent.Collect = branch;
            bool valid = Check(ref silent, access, id, value);
            if (valid)
            {
                state.Collect.Merge(branch);
            }

            return valid;
        }

        private static bool CheckNode(ref ValidationState state, TAccess access, GraphNode node, TValue value)
        {
            if (node.Boolean == true)
            {
                return true;
            }

            if (node.Boolean == false)
            {
                state.Add("false", "no value", Shown(access, value));
                return false;
            }

            bool ok = true;
            if (node.Ref >= 0 && !Apply(ref state, access, node.Ref, value, ref ok))
            {
                return false;
            }

            if (node.DynamicRef >= 0 && !Apply(ref state, access, DynamicTarget(ref state, node), value, ref ok))
            {
                return false;
            }

            JsonType type = access.TypeOf(value);
            if (node.Types != 0 && !HasType(access, value, type, node.Types))
            {
                state.Add("type", TypeMask.Describe(node.Types, "|"), Shown(access, value));
                return false;
            }

            if (node.Enum != null && !Contains(access, node.Enum, value))
            {
                if (!Fail(ref state, ref ok, "enum", Shorten(node.AllowedText!), Shown(access, value)))
                {
                    return false;
                }
            }

            if (node.Const != null && !Equal(access, value, node.Const))
            {
                if (!Fail(ref state, ref ok, "const", Shorten(node.AllowedText!), Shown(access, value)))
                {
                    return false;
                }
            }

            switch (type)
            {
                case JsonType.Number:
                    if (!CheckNumber(ref state, access, node, value, ref ok))
                    {
                        return false;
                    }

                    break;
                case JsonType.String:
                    if ((node.MinLength.HasValue || node.MaxLength.HasValue || node.Regex != null) && !CheckString(ref state, access, node, value, ref ok))
                    {
                        return false;
                    }

                    break;
                case JsonType.Array:
                    if (!CheckArray(ref state, access, node, value, ref ok))
                    {
                        return false;
                    }

                    break;
                case JsonType.Object:
                    if (!CheckObject(ref state, access, node, value, ref ok))
                    {
                        return false;
                    }

                    break;
            }

            foreach (int part in node.AllOf)
            {
                if (!Apply(ref state, access, part, value, ref ok))
                {
                    return false;
                }
            }

            if (node.AnyOf.Length > 0 && !CheckAnyOf(ref state, access, node, value, type, ref ok))
            {
                return false;
            }

            if (node.OneOf.Length > 0)
            {
                int matches = 0;
                foreach (int branch in node.OneOf)
                {
                    matches += CheckBranch(ref state, access, branch, value) ? 1 : 0;
                }

                if (matches != 1 && !Fail(ref state, ref ok, "oneOf", "exactly 1 of " + node.OneOf.Length.ToString(CultureInfo.InvariantCulture) + " schemas", matches.ToString(CultureInfo.InvariantCulture) + " matches"))
                {
                    return false;
                }
            }

            if (node.Not >= 0)
            {
                ValidationState silent = state.Branch();
                if (Check(ref silent, access, node.Not, value) && !Fail(ref state, ref ok, "not", "the schema under 'not'", Shown(access, value)))
                {
                    return false;
                }
            }

            if (node.If >= 0)
            {
                int next = CheckBranch(ref state, access, node.If, value) ? node.Then : node.Else;
                if (next >= 0 && !Apply(ref state, access, next, value, ref ok))
                {
                    return false;
                }
            }

            // Last: unevaluatedItems and unevaluatedProperties see what every other keyword here evaluated.
            if (ok && state.Collect != null)
            {
                if (node.UnevaluatedItems >= 0 && type == JsonType.Array && !CheckUnevaluatedItems(ref state, access, node, value, ref ok))
                {
                    return false;
                }

                if (node.UnevaluatedProperties >= 0 && type == JsonType.Object && !CheckUnevaluatedProperties(ref state, access, node, value, ref ok))
                {
                    return false;
                }
            }

            return ok;
        }

        /// <summary>
        /// Where a $dynamicRef (or $recursiveRef) goes: its static target, unless that target carries the dynamic anchor,
        /// in which case the outermost resource of the dynamic scope that declares the anchor.
        /// </summary>
        private static int DynamicTarget(ref ValidationState state, GraphNode node)
        {
            if (node.DynamicAnchor == null || state.Scope == null)
            {
                return node.DynamicRef;
            }

            Dictionary<string, int>[] anchors = state.Graph.DynamicAnchors;
            foreach (int resource in state.Scope)
            {
                if (resource >= 0 && resource < anchors.Length && anchors[resource].TryGetValue(node.DynamicAnchor, out int target))
                {
                    return target;
                }
            }

            return node.DynamicRef;
        }

        private static bool CheckUnevaluatedItems(ref ValidationState state, TAccess access, GraphNode node, TValue value, ref bool ok)
        {
            Evaluated seen = state.Collect!;
            TItems items = access.Items(value);
            int index = 0;
            while (access.NextItem(ref items, out TValue item))
            {
                int at = index++;
                if (seen.HasItem(at))
                {
                    continue;
                }

                state.EnterIndex(at);
                bool valid = CheckChild(ref state, access, node.UnevaluatedItems, item);
                state.Leave();
                if (!valid && !Fail(ref state, ref ok, "unevaluatedItems", "the schema under 'unevaluatedItems'", "item " + Count(at)))
                {
                    return false;
                }
            }

            if (ok)
            {
                seen.AllItems = true;
            }

            return true;
        }

        private static bool CheckUnevaluatedProperties(ref ValidationState state, TAccess access, GraphNode node, TValue value, ref bool ok)
        {
            Evaluated seen = state.Collect!;
            TMembers members = access.Members(value);
            while (access.NextMember(ref members, out TValue member))
            {
                string name = access.MemberName(ref members);
                if (seen.HasName(name))
                {
                    continue;
                }

                state.Enter(name);
                bool valid = CheckChild(ref state, access, node.UnevaluatedProperties, member);
                state.Leave();
                if (!valid && !Fail(ref state, ref ok, "unevaluatedProperties", "the schema under 'unevaluatedProperties'", "present", name))
                {
                    return false;
                }
            }

            if (ok)
            {
                seen.AllNames = true;
            }

            return true;
        }

        /// <summary>minItems/maxItems and minProperties/maxProperties: a count within bounds; false when the check can stop.</summary>
        private static bool CheckCount(ref ValidationState state, ref bool ok, int count, int? min, int? max, string minRule, string maxRule, string unit)
        {
            if (min.HasValue && count < min.Value && !Fail(ref state, ref ok, minRule, Count(min.Value), Count(count) + unit))
            {
                return false;
            }

            return !(max.HasValue && count > max.Value && !Fail(ref state, ref ok, maxRule, Count(max.Value), Count(count) + unit));
        }

        /// <summary>Records a violation; false when the state is silent and the check can stop.</summary>
        private static bool Fail(ref ValidationState state, ref bool ok, string rule, string limit, string actual, string? member = null)
        {
            ok = false;
            state.Add(rule, limit, actual, member);
            return !state.Silent;
        }

        private static bool CheckNumber(ref ValidationState state, TAccess access, GraphNode node, TValue value, ref bool ok)
        {
            if (!node.Minimum.HasValue && !node.Maximum.HasValue && !node.ExclusiveMinimum.HasValue && !node.ExclusiveMaximum.HasValue && !node.MultipleOf.HasValue)
            {
                return true;
            }

            double d = access.GetDouble(value);

            // An integer beyond 2^53 has no exact double: it is compared as the integer it is, so a limit one past
            // it still holds or breaks as written.
            long exact = 0;
            bool big = false;
            if (System.Math.Abs(d) >= 9007199254740992d && access.IsInteger(value) && access.TryGetDecimal(value, out decimal m) && m >= long.MinValue && m <= long.MaxValue)
            {
                exact = (long)m;
                big = true;
            }

            if (node.Minimum.HasValue && Compare(big, exact, d, node.Minimum.Value) < 0 && !Fail(ref state, ref ok, "minimum", Number(node.Minimum.Value), Shown(access, value)))
            {
                return false;
            }

            if (node.Maximum.HasValue && Compare(big, exact, d, node.Maximum.Value) > 0 && !Fail(ref state, ref ok, "maximum", Number(node.Maximum.Value), Shown(access, value)))
            {
                return false;
            }

            if (node.ExclusiveMinimum.HasValue && Compare(big, exact, d, node.ExclusiveMinimum.Value) <= 0 && !Fail(ref state, ref ok, "exclusiveMinimum", Number(node.ExclusiveMinimum.Value), Shown(access, value)))
            {
                return false;
            }

            if (node.ExclusiveMaximum.HasValue && Compare(big, exact, d, node.ExclusiveMaximum.Value) >= 0 && !Fail(ref state, ref ok, "exclusiveMaximum", Number(node.ExclusiveMaximum.Value), Shown(access, value)))
            {
                return false;
            }

            bool multiple = big && node.MultipleOf.HasValue && node.MultipleOf.Value >= 1 && node.MultipleOf.Value <= 9007199254740992d && node.MultipleOf.Value == System.Math.Floor(node.MultipleOf.Value)
                ? exact % (long)node.MultipleOf.Value == 0
                : !node.MultipleOf.HasValue || SchemaRules.IsMultipleOf(d, node.MultipleOf.Value);
            if (!multiple && !Fail(ref state, ref ok, "multipleOf", Number(node.MultipleOf!.Value), Shown(access, value)))
            {
                return false;
            }

            return true;
        }

        /// <summary>The sign of value minus limit: exactly for a big integer, else as doubles.</summary>
        private static int Compare(bool big, long exact, double d, double limit)
        {
            if (!big)
            {
                return d.CompareTo(limit);
            }

            if (limit >= 9223372036854775807d)
            {
                return -1; // 2^63 and above: past every long
            }

            if (limit < -9223372036854775808d)
            {
                return 1;
            }

            double floor = System.Math.Floor(limit);
            long whole = (long)floor;
            if (exact != whole)
            {
                return exact < whole ? -1 : 1;
            }

            return limit > floor ? -1 : 0;
        }

        private static bool CheckString(ref ValidationState state, TAccess access, GraphNode node, TValue value, ref bool ok)
        {
            string text = access.GetString(value);
            if (node.MinLength.HasValue || node.MaxLength.HasValue)
            {
                int length = SchemaRules.CodePointLength(text);
                if (node.MinLength.HasValue && length < node.MinLength.Value && !Fail(ref state, ref ok, "minLength", Count(node.MinLength.Value), Shown(access, value)))
                {
                    return false;
                }

                if (node.MaxLength.HasValue && length > node.MaxLength.Value && !Fail(ref state, ref ok, "maxLength", Count(node.MaxLength.Value), Shown(access, value)))
                {
                    return false;
                }
            }

            if (node.Regex != null)
            {
                // A pattern that cannot decide in time does not accept the value.
                bool? matches = PatternMatches(node.Regex, text);
                string limit = (node.Pattern ?? node.Regex.ToString()) + (matches == null ? " (the match timed out)" : string.Empty);
                if (matches != true && !Fail(ref state, ref ok, "pattern", limit, Shown(access, value)))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool CheckArray(ref ValidationState state, TAccess access, GraphNode node, TValue value, ref bool ok)
        {
            if ((node.MinItems.HasValue || node.MaxItems.HasValue) && !CheckCount(ref state, ref ok, access.ArrayLength(value), node.MinItems, node.MaxItems, "minItems", "maxItems", " items"))
            {
                return false;
            }

            if (node.UniqueItems && !(access.KnownUnique(value) ?? Unique(access, value)) && !Fail(ref state, ref ok, "uniqueItems", "true", "repeated items"))
            {
                return false;
            }

            int[] prefix = node.PrefixItems;
            if (node.Items >= 0 || prefix.Length > 0)
            {
                TItems items = access.Items(value);
                int index = 0;
                while (access.NextItem(ref items, out TValue item))
                {
                    int at = index++;
                    int schema = at < prefix.Length ? prefix[at] : node.Items;
                    if (schema < 0)
                    {
                        break;
                    }

                    state.EnterIndex(at);
                    bool valid = CheckChild(ref state, access, schema, item);
                    state.Leave();
                    if (!valid)
                    {
                        ok = false;
                        if (state.Silent)
                        {
                            return false;
                        }
                    }
                }

                if (state.Collect != null)
                {
                    state.Collect.Prefix = System.Math.Max(state.Collect.Prefix, System.Math.Min(index, prefix.Length));
                    state.Collect.AllItems |= node.Items >= 0;
                }
            }

            if (node.Contains >= 0)
            {
                int matches = 0;
                TItems items = access.Items(value);
                int index = 0;
                while (access.NextItem(ref items, out TValue item))
                {
                    int at = index++;
                    ValidationState silent = state.Branch();
                    if (Check(ref silent, access, node.Contains, item))
                    {
                        matches++;
                        if (node.ContainsEvaluates)
                        {
                            state.Collect?.Item(at);
                        }
                    }
                }

                int least = node.MinContains ?? 1;
                if (matches < least && !Fail(ref state, ref ok, least == 1 && node.MinContains == null ? "contains" : "minContains", Count(least) + " matching items", Count(matches) + " match"))
                {
                    return false;
                }

                if (node.MaxContains.HasValue && matches > node.MaxContains.Value && !Fail(ref state, ref ok, "maxContains", Count(node.MaxContains.Value) + " matching items", Count(matches) + " match"))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool CheckObject(ref ValidationState state, TAccess access, GraphNode node, TValue value, ref bool ok)
        {
            foreach (string name in node.Required)
            {
                if (!access.TryGetMember(value, name, out _) && !Fail(ref state, ref ok, "required", name, "missing", name))
                {
                    return false;
                }
            }

            if ((node.MinProperties.HasValue || node.MaxProperties.HasValue) && !CheckCount(ref state, ref ok, access.MemberCount(value), node.MinProperties, node.MaxProperties, "minProperties", "maxProperties", " members"))
            {
                return false;
            }

            for (int i = 0; i < node.DependentNames.Length; i++)
            {
                if (!access.TryGetMember(value, node.DependentNames[i], out _))
                {
                    continue;
                }

                foreach (string needed in node.DependentRequired[i])
                {
                    if (!access.TryGetMember(value, needed, out _) && !Fail(ref state, ref ok, "dependentRequired", needed + " (with " + node.DependentNames[i] + ")", "missing", needed))
                    {
                        return false;
                    }
                }
            }

            for (int i = 0; i < node.DependentSchemaNames.Length; i++)
            {
                // The object itself, not the member, must match: an in-place applicator.
                if (access.TryGetMember(value, node.DependentSchemaNames[i], out _) && !Apply(ref state, access, node.DependentSchemaNodes[i], value, ref ok))
                {
                    return false;
                }
            }

            for (int i = 0; i < node.PropertyNames.Length; i++)
            {
                if (access.TryGetMember(value, node.PropertyNames[i], out TValue member))
                {
                    state.Collect?.Name(node.PropertyNames[i]);
                    if (!CheckMember(ref state, access, node.PropertyNames[i], node.PropertyNodes[i], member, ref ok))
                    {
                        return false;
                    }
                }
            }

            bool patterns = node.PatternRegexes.Length > 0;
            if (node.Additional == GraphNode.AnyAdditional && !patterns && node.PropertyNamesNode < 0)
            {
                return true;
            }

            TMembers members = access.Members(value);
            while (access.NextMember(ref members, out TValue extra))
            {
                string? name = null;
                if (node.PropertyNamesNode >= 0)
                {
                    name = access.MemberName(ref members);
                    state.Enter(name);
                    Evaluated? outer = state.Collect;
                    state.Collect = null;
                    bool valid = SchemaWalker<PrimitiveValue, NoCursor, NoCursor, PrimitiveAccess>.Check(ref state, default, node.PropertyNamesNode, PrimitiveValue.Of(name));
                    state.Collect = outer;
                    state.Leave();
                    if (!valid)
                    {
                        ok = false;
                        if (state.Silent)
                        {
                            return false;
                        }
                    }
                }

                bool matched = false;
                if (patterns)
                {
                    name ??= access.MemberName(ref members);
                    for (int i = 0; i < node.PatternRegexes.Length; i++)
                    {
                        if (state.Budget != null && --state.Budget.Remaining < 0)
                        {
                            state.Add("budget", "too much work for one value", name);
                            return false;
                        }

                        bool? matches = PatternMatches(node.PatternRegexes[i], name);
                        if (matches == null)
                        {
                            // A pattern that cannot decide in time: the value is reported, and nothing more is tried.
                            Fail(ref state, ref ok, "patternProperties", node.PatternTexts[i] + " (the match timed out)", "present", name);
                            return false;
                        }

                        if (matches == false)
                        {
                            continue;
                        }

                        matched = true;
                        state.Collect?.Name(name);
                        if (!CheckMember(ref state, access, name, node.PatternNodes[i], extra, ref ok))
                        {
                            return false;
                        }
                    }
                }

                if (matched || node.Additional == GraphNode.AnyAdditional || IsDeclared(access, node, ref members))
                {
                    continue;
                }

                state.Collect?.Name(name ??= access.MemberName(ref members));
                if (node.Additional == GraphNode.NoAdditional)
                {
                    if (!Fail(ref state, ref ok, "additionalProperties", "false", "present", name ?? access.MemberName(ref members)))
                    {
                        return false;
                    }

                    continue;
                }

                // Checked silently first: the member's name (which costs a string) is needed only when it fails.
                ValidationState silent = state.Branch();
                if (Check(ref silent, access, node.Additional, extra))
                {
                    continue;
                }

                ok = false;
                if (state.Silent)
                {
                    return false;
                }

                state.Enter(name ?? access.MemberName(ref members));
                CheckChild(ref state, access, node.Additional, extra);
                state.Leave();
            }

            return true;
        }

        /// <summary>Whether a pattern matches (a string value, a patternProperties member name); null when it cannot decide in time.</summary>
        private static bool? PatternMatches(Regex regex, string text)
        {
            try
            {
                return regex.IsMatch(text);
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        }

        private static bool IsDeclared(TAccess access, GraphNode node, ref TMembers members)
        {
            foreach (string name in node.PropertyNames)
            {
                if (access.MemberNameIs(ref members, name))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool CheckAnyOf(ref ValidationState state, TAccess access, GraphNode node, TValue value, JsonType type, ref bool ok)
        {
            if (state.Collect != null)
            {
                // Collecting for unevaluated*: every branch that holds counts, so none is skipped.
                bool any = false;
                foreach (int branch in node.AnyOf)
                {
                    any |= CheckBranch(ref state, access, branch, value);
                }

                if (any)
                {
                    return true;
                }
            }
            else
            {
                foreach (int branch in node.AnyOf)
                {
                    ValidationState silent = state.Branch();
                    if (Check(ref silent, access, branch, value))
                    {
                        return true;
                    }
                }
            }

            ok = false;
            if (state.Silent)
            {
                state.Failed = true;
                return false;
            }

            // When exactly one branch takes values of this JSON type, its own violations say more than "anyOf".
            int fitting = -1;
            int count = 0;
            bool typed = true;
            foreach (int branch in node.AnyOf)
            {
                int mask = state.Graph.Nodes[branch].EffectiveTypes;
                typed &= mask != 0;
                if (mask != 0 && HasType(access, value, type, mask))
                {
                    fitting = branch;
                    count++;
                }
            }

            if (typed && count == 1)
            {
                Check(ref state, access, fitting, value);
            }
            else
            {
                state.Add("anyOf", node.AnyOf.Length.ToString(CultureInfo.InvariantCulture) + " schemas", Shown(access, value));
            }

            return true;
        }

        private static bool HasType(TAccess access, TValue value, JsonType type, int mask)
        {
            switch (type)
            {
                case JsonType.Null: return (mask & TypeMask.Null) != 0;
                case JsonType.Boolean: return (mask & TypeMask.Boolean) != 0;
                case JsonType.Object: return (mask & TypeMask.Object) != 0;
                case JsonType.Array: return (mask & TypeMask.Array) != 0;
                case JsonType.String: return (mask & TypeMask.String) != 0;
                case JsonType.Number: return (mask & TypeMask.Number) != 0 || ((mask & TypeMask.Integer) != 0 && access.IsInteger(value));
                default: return false;
            }
        }

        private static bool Contains(TAccess access, ConstantValue[] candidates, TValue value)
        {
            foreach (ConstantValue candidate in candidates)
            {
                if (Equal(access, value, candidate))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>JSON equality of a value and a constant: numbers by value, objects regardless of member order.</summary>
        public static bool Equal(TAccess access, TValue value, ConstantValue constant, int depth = 0)
        {
            JsonType type = access.TypeOf(value);
            if (type != constant.Type || depth > 64)
            {
                return false;
            }

            switch (type)
            {
                case JsonType.Null:
                    return true;
                case JsonType.Boolean:
                    return access.IsTrue(value) == constant.Boolean;
                case JsonType.Number:
                    return constant.Decimal.HasValue && access.TryGetDecimal(value, out decimal exact)
                        ? exact == constant.Decimal.Value
                        : access.GetDouble(value) == constant.Number;
                case JsonType.String:
                    return access.StringEquals(value, constant.Text!);
                case JsonType.Array:
                    if (access.ArrayLength(value) != constant.Items.Length)
                    {
                        return false;
                    }

                    TItems items = access.Items(value);
                    int i = 0;
                    while (access.NextItem(ref items, out TValue item))
                    {
                        if (!Equal(access, item, constant.Items[i++], depth + 1))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    if (access.MemberCount(value) != constant.Members.Length)
                    {
                        return false;
                    }

                    foreach (var member in constant.Members)
                    {
                        if (!access.TryGetMember(value, member.Key, out TValue other) || !Equal(access, other, member.Value, depth + 1))
                        {
                            return false;
                        }
                    }

                    return true;
            }
        }

        private static bool Unique(TAccess access, TValue array)
        {
            int count = access.ArrayLength(array);
            var seen = new ConstantValue[count];
            TItems items = access.Items(array);
            int i = 0;
            while (access.NextItem(ref items, out TValue item))
            {
                for (int j = 0; j < i; j++)
                {
                    if (Equal(access, item, seen[j]))
                    {
                        return false;
                    }
                }

                seen[i++] = ConstantValue.From<TValue, TItems, TMembers, TAccess>(access, item);
            }

            return true;
        }

        private static string Shown(TAccess access, TValue value)
        {
            string text = access.RawText(value);
            return text.Length > ShownLength ? text.Substring(0, ShownLength - 3) + "..." : text;
        }

        private static string Shorten(string text) => text.Length > 120 ? text.Substring(0, 117) + "..." : text;

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
