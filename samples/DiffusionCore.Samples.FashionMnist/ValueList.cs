using System.Globalization;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// A list of numbers (a sweep grid) that compares by its values, so <see cref="JobOptions"/> keeps value equality.
/// </summary>
/// <remarks>
/// Not itself enumerable, so --help shows it as the command line spells it (<see cref="ToString"/>).
/// </remarks>
internal sealed class ValueList(params double[] values) : IEquatable<ValueList>
{
    private readonly double[] _values = [.. values];

    public int Count => _values.Length;

    public double this[int index] => _values[index];

    /// <summary>The values in order.</summary>
    public IReadOnlyList<double> Values => _values;

    public bool Equals(ValueList? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as ValueList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (double v in _values) hash.Add(v);
        return hash.ToHashCode();
    }

    /// <summary>The values as the command line spells them: <c>0.05,0.1</c>.</summary>
    public override string ToString() => string.Join(",", _values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
