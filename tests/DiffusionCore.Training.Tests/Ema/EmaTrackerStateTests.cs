using DiffusionCore.Torch;
using DiffusionCore.Torch.Serialization;
using DiffusionCore.Training.Ema;

namespace DiffusionCore.Training.Tests.Ema;

public sealed class EmaTrackerStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dc-ema-state-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[][] Snapshot(EmaTracker tracker)
    {
        using var scope = new TensorScope();
        return [.. tracker.StateDict().Select(kv => kv.Value.To(DType.Float32).ToArray<float>())];
    }

    [Theory]
    [InlineData("power")]
    [InlineData("traditional")]
    [InlineData("constant")]
    public void SaveState_LoadState_round_trip_is_bit_exact_and_resumes_identically(string kind)
    {
        using var scope = new TensorScope();
        var gen = new Generator(7);
        using var net = new SmallNet(gen);
        Func<EmaTracker> create = kind switch
        {
            "power" => () => new PowerEmaTracker(net, new PowerEmaOptions { SigmaRel = 0.1 }),
            "traditional" => () => new TraditionalEmaTracker(net, new TraditionalEmaOptions { HalfLifeImages = 20 }),
            _ => () => new ConstantEmaTracker(net, new ConstantEmaOptions { Decay = 0.7 }),
        };
        using EmaTracker original = create();
        for (int step = 1; step <= 5; step++)
        {
            net.Perturb(gen, 0.1);
            original.Update(net, step * 8, 8);
        }

        string path = Path.Combine(_dir, "ckpt.safetensors");
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        original.SaveState(tensors, metadata, "ema.a.");
        tensors.Keys.Should().OnlyContain(k => k.StartsWith("ema.a.", StringComparison.Ordinal));
        tensors.Should().ContainKey("ema.a.conv.weight").And.ContainKey("ema.a.freqs");
        metadata["ema.a.kind"].Should().Be(kind);
        SafeTensors.Save(path, tensors, metadata);

        using EmaTracker restored = create();
        using SafeTensorsContents loaded = SafeTensors.Load(path);
        restored.LoadState(loaded.Tensors, loaded.Metadata, "ema.a.");
        AssertBitEqual(Snapshot(restored), Snapshot(original));

        // Continuing both gives bit-identical averages.
        for (int step = 6; step <= 8; step++)
        {
            net.Perturb(gen, 0.1);
            original.Update(net, step * 8, 8);
            restored.Update(net, step * 8, 8);
        }

        AssertBitEqual(Snapshot(restored), Snapshot(original));

        // The saved EMA section loads straight into a network by key prefix.
        using var copy = new SmallNet(new Generator(99));
        copy.LoadStateDict(path, keyPrefix: "ema.a.");
    }

    private static void AssertBitEqual(float[][] actual, float[][] expected)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            actual[i].Select(BitConverter.SingleToInt32Bits).Should().Equal(expected[i].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void LoadState_refuses_another_kind_another_sigma_rel_and_missing_tensors()
    {
        using var scope = new TensorScope();
        using var net = new SmallNet(new Generator(3));
        using var power = new PowerEmaTracker(net, new PowerEmaOptions { SigmaRel = 0.05 });
        using var other = new PowerEmaTracker(net, new PowerEmaOptions { SigmaRel = 0.10 });
        using var constant = new ConstantEmaTracker(net);
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        power.SaveState(tensors, metadata, "p.");

        FluentActions.Invoking(() => constant.LoadState(tensors, metadata, "p.")).Should().Throw<InvalidDataException>().WithMessage("*'constant' EMA*'power' EMA*");
        FluentActions.Invoking(() => other.LoadState(tensors, metadata, "p.")).Should().Throw<InvalidDataException>().WithMessage("*σ_rel = 0.1 *0.05*");
        FluentActions.Invoking(() => power.LoadState(tensors, metadata, "q.")).Should().Throw<InvalidDataException>().WithMessage("*no 'q.kind'*");
        tensors.Remove("p.head.bias");
        FluentActions.Invoking(() => power.LoadState(tensors, metadata, "p.")).Should().Throw<InvalidDataException>().WithMessage("*'p.head.bias' is missing*");
    }
}
