using System.Text.Json;

namespace DiffusionCore.Networks.Tests;

/// <summary>
/// Reads a fixture's <c>config</c> (the reference constructor's arguments) key by key. A missing key takes the given
/// fallback, which the callers set to DiffusionCore's default, so a fixture that leaves an argument at the reference
/// default proves that both defaults agree. <see cref="EnsureAllRead"/> fails on any key no option consumed, so a new
/// reference argument can never be silently ignored.
/// </summary>
internal sealed class ReferenceConfigReader(JsonElement config)
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public bool Has(string key)
    {
        _read.Add(key);
        return config.TryGetProperty(key, out JsonElement e) && e.ValueKind != JsonValueKind.Null;
    }

    public int Int(string key, int fallback) => Get(key) is { } e ? e.GetInt32() : fallback;

    public int? NullableInt(string key, int? fallback) => Get(key) is { } e ? e.GetInt32() : Present(key) ? null : fallback;

    public double Double(string key, double fallback) => Get(key) is { } e ? e.GetDouble() : fallback;

    public double? NullableDouble(string key, double? fallback) => Get(key) is { } e ? e.GetDouble() : Present(key) ? null : fallback;

    public bool Bool(string key, bool fallback) => Get(key) is { } e ? e.GetBoolean() : fallback;

    public string String(string key, string fallback) => Get(key) is { } e ? e.GetString()! : fallback;

    public IReadOnlyList<int> Ints(string key, IReadOnlyList<int> fallback) =>
        Get(key) is { } e ? e.EnumerateArray().Select(v => v.GetInt32()).ToArray() : fallback;

    public IReadOnlyList<double> Doubles(string key, IReadOnlyList<double> fallback) =>
        Get(key) is { } e ? e.EnumerateArray().Select(v => v.GetDouble()).ToArray() : fallback;

    /// <summary>Throws when the config has a key that nothing read.</summary>
    public void EnsureAllRead()
    {
        string[] unread = config.EnumerateObject().Select(p => p.Name).Where(n => !_read.Contains(n)).ToArray();
        unread.Should().BeEmpty("every reference constructor argument in a fixture must map to an option");
    }

    private bool Present(string key) => config.TryGetProperty(key, out _);

    private JsonElement? Get(string key)
    {
        _read.Add(key);
        return config.TryGetProperty(key, out JsonElement e) && e.ValueKind != JsonValueKind.Null ? e : null;
    }
}
