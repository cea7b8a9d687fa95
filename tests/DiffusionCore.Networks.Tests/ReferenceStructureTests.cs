using System.Text.Json;
using DiffusionCore.Denoisers;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.Tests.DiT;
using DiffusionCore.Networks.Tests.Edm;
using DiffusionCore.Networks.Tests.Edm2;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Tests;

/// <summary>
/// Configurations too large for a numerical fixture (the EDM2 example at full scale, ADM attention rounded down
/// at 64 channels per head, the published presets): tests/fixtures/reference/structures.json records the reference's
/// parameter count and every state-dict key and shape, and the network built on the meta device must have exactly those.
/// </summary>
public class ReferenceStructureTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (JsonProperty p in Load().EnumerateObject()) data.Add(p.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Structure_equals_the_reference(string name)
    {
        JsonElement entry = Load().GetProperty(name);
        JsonElement config = entry.GetProperty("config");
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using Module network = entry.GetProperty("reference").GetString() switch
        {
            "edm2" => new Edm2Denoiser(Edm2Fixture.Options(config), g, Device.Meta),
            "edm" => config.GetProperty("model_type").GetString() == "SongUNet"
                ? new PreconditionedNetwork<SongUNet>(new SongUNet(EdmFixtureConfig.SongUNet(config), g, Device.Meta), new EdmPreconditioning())
                : new PreconditionedNetwork<DhariwalUNet>(new DhariwalUNet(EdmFixtureConfig.DhariwalUNet(config), g, Device.Meta), new EdmPreconditioning()),
            "dit" => new DiffusionTransformer(DiTTestModels.OptionsFrom(config), g, device: Device.Meta),
            var other => throw new InvalidOperationException($"unknown reference '{other}'"),
        };

        network.NumParameters().Should().Be(entry.GetProperty("parameters").GetInt64(), $"{name} has the reference parameter count");
        var expected = entry.GetProperty("state").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetInt64()).ToArray(), StringComparer.Ordinal);
        OrderedDictionary<string, Tensor> state = network.StateDict();
        state.Keys.Should().BeEquivalentTo(expected.Keys, $"{name} has the reference state-dict keys");
        foreach ((string key, long[] shape) in expected)
        {
            state[key].Shape.Should().Equal(shape, $"{name} {key}");
        }
    }

    private static JsonElement Load()
    {
        string path = Path.Combine(ReferenceCase.FixtureFolder, "structures.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    }
}
