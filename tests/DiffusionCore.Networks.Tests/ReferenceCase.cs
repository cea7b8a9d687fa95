using System.Text.Json;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Networks.Tests;

/// <summary>
/// One reference parity fixture from tests/fixtures/reference (see its README): the reference constructor's
/// <c>config</c>, its parameter count, the <c>state.*</c> state dict, the inputs <c>in.*</c>, the eval-mode output
/// <c>out.*</c> and the gradients <c>grad.*</c> of <c>sum((out.D − in.target)²)</c>. Disposing frees every tensor.
/// </summary>
internal sealed class ReferenceCase : IDisposable
{
    private readonly SafeTensorsContents _contents;

    private ReferenceCase(string name, SafeTensorsContents contents)
    {
        Name = name;
        _contents = contents;
        Config = JsonDocument.Parse(contents.Metadata["config"]).RootElement.Clone();
        Parameters = long.Parse(contents.Metadata["parameters"], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The fixture name, e.g. "edm2_unet_tiny".</summary>
    public string Name { get; }

    /// <summary>The reference constructor's arguments.</summary>
    public JsonElement Config { get; }

    /// <summary>The reference parameter count.</summary>
    public long Parameters { get; }

    /// <summary>Loads a fixture by name (the file name without .safetensors).</summary>
    public static ReferenceCase Load(string name)
    {
        string path = Path.Combine(FixtureFolder, name + ".safetensors");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Reference fixture {path} is missing: it is part of the repository (tests/fixtures/reference); restore it with git checkout.", path);
        }

        using var scope = new TensorScope();
        SafeTensorsContents contents = SafeTensors.Load(path);
        foreach (Tensor t in contents.Tensors.Values)
        {
            t.DetachFromScope();
        }

        return new ReferenceCase(name, contents);
    }

    /// <summary>A tensor of the fixture, e.g. "in.x" or "out.D".</summary>
    public Tensor this[string key] => _contents[key];

    /// <summary>Every <c>state.*</c> entry with the prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> State => Prefixed("state.");

    /// <summary>Every <c>grad.*</c> entry with the prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> Gradients => Prefixed("grad.");

    /// <summary>Loads the reference state strictly into <paramref name="module"/>.</summary>
    public void LoadStateInto(Module module) => module.LoadStateDict(State, strict: true);

    /// <summary>
    /// Asserts the README's agreement: max|a − b| / max(1, max|b|) ≤ <paramref name="tolerance"/>, computed in float64.
    /// </summary>
    public static void AssertClose(Tensor actual, Tensor expected, string what, double tolerance = 1e-4)
    {
        using var scope = new TensorScope();
        actual.Shape.Should().Equal(expected.Shape, $"{what} must have the reference shape");
        Tensor a = actual.To(DType.Float64);
        Tensor b = expected.To(DType.Float64);
        double err = (a - b).Abs().Max().ToDouble();
        double scale = Math.Max(1.0, b.Abs().Max().ToDouble());
        (err / scale).Should().BeLessThanOrEqualTo(tolerance, $"{what} differs from the reference by {err:G3} (scale {scale:G3})");
    }

    /// <summary>max|a − b| / max(1, max|b|) in float64, the README's relative error.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = new TensorScope();
        Tensor a = actual.To(DType.Float64);
        Tensor b = expected.To(DType.Float64);
        return (a - b).Abs().Max().ToDouble() / Math.Max(1.0, b.Abs().Max().ToDouble());
    }

    /// <summary>Whether the fixture has a tensor named <paramref name="key"/>.</summary>
    public bool Contains(string key) => _contents.Tensors.ContainsKey(key);

    /// <summary>
    /// Asserts every reference gradient against the module's parameter gradient of the same key (after a backward pass
    /// of sum((out − target)²)), and that no parameter with a reference gradient lacks one.
    /// </summary>
    public void AssertGradients(Module module, double tolerance = 1e-4)
    {
        using var scope = new TensorScope();
        var parameters = module.NamedParameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        IReadOnlyDictionary<string, Tensor> grads = Gradients;
        grads.Should().NotBeEmpty();
        foreach ((string key, Tensor expected) in grads)
        {
            parameters.Should().ContainKey(key, "every reference gradient belongs to a parameter of the same name");
            Tensor? actual = parameters[key].Grad;
            actual.Should().NotBeNull($"parameter {key} must receive a gradient");
            AssertClose(actual!, expected, $"grad.{key}", tolerance);
        }
    }

    /// <summary>Sum over every parameter's element count must equal the reference count.</summary>
    public void AssertParameterCount(Module module) =>
        module.NumParameters().Should().Be(Parameters, $"{Name} has {Parameters} parameters in the reference");

    /// <inheritdoc />
    public void Dispose() => _contents.Dispose();

    private Dictionary<string, Tensor> Prefixed(string prefix) =>
        _contents.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>tests/fixtures/reference in the repository holding the test assembly.</summary>
    public static string FixtureFolder => LocateFixtureFolder();

    private static string LocateFixtureFolder()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "DiffusionCore.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        if (dir is null)
        {
            throw new DirectoryNotFoundException("Could not find DiffusionCore.sln above the test assembly to locate tests/fixtures/reference.");
        }

        return Path.Combine(dir, "tests", "fixtures", "reference");
    }
}
