using System.Text.Json;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Torch.Tests.Serialization;

/// <summary>
/// The reference parity fixtures (written by the Python safetensors library, and by tests/fixtures/reference/generate.py)
/// load and are self-consistent.
/// </summary>
public sealed class ReferenceFixtureLoadTests
{
    public static TheoryData<string> FixtureNames()
    {
        var data = new TheoryData<string>();
        foreach (string file in TestPaths.ReferenceFixtureFiles())
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Fact]
    public void The_fixture_folder_holds_the_documented_files()
    {
        TestPaths.ReferenceFixtureFiles().Select(Path.GetFileNameWithoutExtension)
            .Should().Contain(["edm2_unet_tiny", "edm_ddpmpp_tiny", "edm_adm_tiny", "dit_tiny"]);
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Every_fixture_loads_with_its_metadata_and_consistent_parameters(string name)
    {
        using var scope = new TensorScope();
        using SafeTensorsFile file = SafeTensorsFile.Open(TestPaths.ReferenceFixture(name));

        file.Metadata.Keys.Should().Contain(["config", "reference", "parameters"]);
        using (JsonDocument config = JsonDocument.Parse(file.Metadata["config"]))
        {
            config.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        }

        long parameters = long.Parse(file.Metadata["parameters"], System.Globalization.CultureInfo.InvariantCulture);
        file.Names.Should().Contain(["in.x", "in.target", "out.D"]); // in.labels only where the network is conditional
        file.GetEntry("out.D").DType.Should().Be(DType.Float32);

        // Every gradient belongs to a state entry of the same shape; the parameter count lies between the
        // numel of the gradients (parameters reached by the loss) and of the whole state (parameters and buffers).
        long stateNumel = 0, gradNumel = 0;
        foreach (SafeTensorsEntry e in file.Entries)
        {
            if (e.Name.StartsWith("state.", StringComparison.Ordinal))
            {
                stateNumel += e.NumElements;
            }
            else if (e.Name.StartsWith("grad.", StringComparison.Ordinal))
            {
                gradNumel += e.NumElements;
                file.GetEntry("state." + e.Name["grad.".Length..]).Shape.Should().Equal(e.Shape, e.Name);
            }
        }

        gradNumel.Should().BeGreaterThan(0);
        parameters.Should().BeInRange(gradNumel, stateNumel);

        // Every tensor reads back with the bytes stored at its offsets in the file.
        byte[] raw = File.ReadAllBytes(file.Path);
        IReadOnlyDictionary<string, Tensor> all = file.ReadAll();
        all.Keys.Should().Equal(file.Names);
        foreach (SafeTensorsEntry e in file.Entries)
        {
            Tensor t = all[e.Name];
            t.Shape.Should().Equal(e.Shape, e.Name);
            t.DType.Should().Be(e.DType, e.Name);
            SafeTensorsRoundTripTests.Bytes(t).Should().Equal(raw.AsSpan((int)(file.DataStart + e.DataBegin), (int)e.ByteLength).ToArray(), e.Name);
        }
    }

    [Fact]
    public void Edm2_unet_tiny_has_the_documented_contents()
    {
        using var scope = new TensorScope();
        using SafeTensorsContents c = SafeTensors.Load(TestPaths.ReferenceFixture("edm2_unet_tiny"));

        c.Metadata["reference"].Should().Be("edm2");
        c.Metadata["parameters"].Should().Be("722539");
        using (JsonDocument config = JsonDocument.Parse(c.Metadata["config"]))
        {
            config.RootElement.GetProperty("img_resolution").GetInt32().Should().Be(16);
            config.RootElement.GetProperty("img_channels").GetInt32().Should().Be(1);
        }

        Tensor x = c["in.x"];
        x.DType.Should().Be(DType.Float32);
        x.Shape.Should().Equal(3, 1, 16, 16);
        c["out.D"].Shape.Should().Equal(x.Shape);
        c["in.sigma"].Shape.Should().Equal(3);
        c["out.logvar"].Shape.Should().Equal(3);
        c["in.labels"].Shape.Should().Equal(3, 10);
        x.IsFinite().All().ToBoolean().Should().BeTrue();
        c["out.D"].IsFinite().All().ToBoolean().Should().BeTrue();

        List<KeyValuePair<string, Tensor>> state = c.Tensors.Where(p => p.Key.StartsWith("state.", StringComparison.Ordinal)).ToList();
        state.Should().HaveCount(63);
        state.Should().Contain(p => p.Key == "state.unet.out_gain");

        // The reference count is every state entry except the Fourier embeddings' frequency and phase buffers.
        long parameterNumel = state
            .Where(p => !p.Key.EndsWith("fourier.freqs", StringComparison.Ordinal) && !p.Key.EndsWith("fourier.phases", StringComparison.Ordinal))
            .Sum(p => p.Value.NumElements);
        parameterNumel.Should().Be(722539);
    }

    [Fact]
    public void Dit_tiny_stores_integer_labels()
    {
        using var scope = new TensorScope();
        using SafeTensorsFile file = SafeTensorsFile.Open(TestPaths.ReferenceFixture("dit_tiny"));
        file.Metadata["reference"].Should().Be("dit");
        file.GetEntry("in.labels").DType.Should().Be(DType.Int64);
        file.Names.Should().Contain("in.t");
        long[] labels = file.Read("in.labels").ToArray<long>();
        labels.Should().OnlyContain(l => l >= 0 && l <= 10, "labels are class indices, 10 being the null label");
        file.Entries.Where(e => e.Name.StartsWith("state.", StringComparison.Ordinal)).Sum(e => e.NumElements)
            .Should().Be(long.Parse(file.Metadata["parameters"], System.Globalization.CultureInfo.InvariantCulture));
    }
}
