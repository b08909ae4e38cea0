using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace ProxyHost.Metrics;

/// <summary>
/// The instruments of the chosen meters in the Prometheus text exposition format (version 0.0.4), read through a
/// <see cref="MeterListener"/>: observable instruments are observed at each scrape, counters and histograms are
/// summed as their measurements arrive (only while a listener exists, so nothing is paid without <c>--metrics-listen</c>).
/// </summary>
/// <remarks>
/// Names follow the OpenTelemetry-to-Prometheus conventions: dots become underscores, the unit <c>By</c> adds
/// <c>_bytes</c> and <c>s</c> adds <c>_seconds</c>, counters end in <c>_total</c>, annotations such as
/// <c>{connection}</c> add nothing; tags become labels.
/// </remarks>
internal sealed class PrometheusExposition : IDisposable
{
    /// <summary>The Content-Type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();

    // Recursive: observable callbacks run on the collecting thread, inside Collect's lock.
    private readonly Lock _lock = new();
    private readonly Dictionary<Instrument, Family> _families = [];

    /// <summary>Starts listening to every instrument of the meters named <paramref name="meterNames"/>, present and future.</summary>
    /// <param name="meterNames">Meter names, for example "Socks.Core".</param>
    public PrometheusExposition(IReadOnlyCollection<string> meterNames)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meterNames.Contains(instrument.Meter.Name))
            {
                lock (_lock)
                {
                    _families[instrument] = new Family(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_lock)
            {
                _families.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Observes the observable instruments and writes every family with at least one sample.</summary>
    /// <returns>The exposition text.</returns>
    public string Collect()
    {
        lock (_lock)
        {
            foreach (var family in _families.Values)
            {
                family.BeginScrape();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
            }

            return text.ToString();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            if (_families.TryGetValue(instrument, out var family))
            {
                family.Record(value, Labels(tags));
            }
        }
    }

    /// <summary>The label part of a series, <c>{a="1",b="x"}</c>, or empty; labels sorted by name.</summary>
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder("{");
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(Sanitize(key)).Append("=\"").Append(EscapeLabelValue(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        return text.Append('}').ToString();
    }

    /// <summary>A name of <c>[a-zA-Z0-9_]</c>, not starting with a digit.</summary>
    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        return chars.Length > 0 && char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }

    private static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    /// <summary>One instrument: its name, type and series.</summary>
    private sealed class Family
    {
        private readonly Instrument _instrument;
        private readonly Kind _kind;
        private readonly bool _observable;
        private readonly double[] _buckets;
        private readonly SortedDictionary<string, double> _values = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, Histogram> _histograms = new(StringComparer.Ordinal);

        public Family(Instrument instrument)
        {
            _instrument = instrument;
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            _kind = generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>) ? Kind.Counter
                : generic == typeof(Histogram<>) ? Kind.Histogram
                : Kind.Gauge;
            _observable = instrument.IsObservable;
            _buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets;
            var unit = instrument.Unit switch
            {
                "By" => "_bytes",
                "s" => "_seconds",
                "ms" => "_milliseconds",
                _ => "",
            };
            var name = Sanitize(instrument.Name) + unit;
            Name = _kind == Kind.Counter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
        }

        public string Name { get; }

        /// <summary>Observable instruments report their whole value at each scrape: forget the last one's.</summary>
        public void BeginScrape()
        {
            if (_observable)
            {
                _values.Clear();
            }
        }

        public void Record(double value, string labels)
        {
            if (_kind == Kind.Histogram)
            {
                if (!_histograms.TryGetValue(labels, out var histogram))
                {
                    histogram = new Histogram(_buckets.Length + 1);
                    _histograms[labels] = histogram;
                }

                histogram.Add(value, _buckets);
                return;
            }

            // Observations replace (one per series per scrape); measurements of counters and up-down counters add up.
            _values[labels] = _observable ? value : _values.GetValueOrDefault(labels) + value;
        }

        public void Write(StringBuilder text)
        {
            if (_values.Count == 0 && _histograms.Count == 0)
            {
                return;
            }

            if (!string.IsNullOrEmpty(_instrument.Description))
            {
                text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(_instrument.Description)).Append('\n');
            }

            text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind switch
            {
                Kind.Counter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var (labels, value) in _values)
            {
                text.Append(Name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
            }

            foreach (var (labels, histogram) in _histograms)
            {
                histogram.Write(text, Name, labels, _buckets);
            }
        }
    }

    /// <summary>The buckets, sum and count of one histogram series.</summary>
    private sealed class Histogram(int slots)
    {
        private readonly long[] _counts = new long[slots];
        private double _sum;
        private long _count;

        public void Add(double value, double[] bounds)
        {
            var slot = 0;
            while (slot < bounds.Length && value > bounds[slot])
            {
                slot++;
            }

            _counts[slot]++;
            _sum += value;
            _count++;
        }

        public void Write(StringBuilder text, string name, string labels, double[] bounds)
        {
            var cumulative = 0L;
            for (var i = 0; i <= bounds.Length; i++)
            {
                cumulative += _counts[i];
                var le = i < bounds.Length ? Number(bounds[i]) : "+Inf";
                var bucketLabels = labels.Length == 0 ? $"{{le=\"{le}\"}}" : $"{labels[..^1]},le=\"{le}\"}}";
                text.Append(name).Append("_bucket").Append(bucketLabels).Append(' ').Append(cumulative).Append('\n');
            }

            text.Append(name).Append("_sum").Append(labels).Append(' ').Append(Number(_sum)).Append('\n');
            text.Append(name).Append("_count").Append(labels).Append(' ').Append(_count).Append('\n');
        }
    }
}
