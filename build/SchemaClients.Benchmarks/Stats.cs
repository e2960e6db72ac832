using System;
using System.Collections.Generic;
using System.Linq;

namespace SchemaClients.Benchmarks;

/// <summary>Order statistics the report modes share; percentiles are the nearest rank below, as <see cref="PerDocument"/> takes them.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    public static double Percentile(IEnumerable<double> values, double fraction)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * fraction))];
    }

    public static string Name(string path) => System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path)) + "/" + System.IO.Path.GetFileName(path);
}
