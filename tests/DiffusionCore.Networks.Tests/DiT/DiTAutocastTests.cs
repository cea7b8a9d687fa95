using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>Mixed precision: DiT under CPU bfloat16 autocast.</summary>
public class DiTAutocastTests(ITestOutputHelper output)
{
    [Fact]
    public void Bfloat16_autocast_forward_and_backward_are_finite()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Tensor d;
        using (new AutocastScope(DeviceType.Cpu, DType.BFloat16))
        {
            d = model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"]);
            d.To(DType.Float32).Sub(reference["in.target"]).Square().Sum().Backward();
        }

        d.IsFinite().All().ToBoolean().Should().BeTrue();
        double error = ReferenceCase.RelativeError(d, reference["out.D"]);
        output.WriteLine($"bfloat16 output dtype {d.DType}, relative error vs float32 reference {error:G3}");
        error.Should().BeLessThan(0.1, "bfloat16 keeps about 3 significant digits");
        foreach ((string key, Tensor p) in model.NamedParameters())
        {
            if (p.RequiresGrad)
            {
                p.Grad.Should().NotBeNull(key);
                p.Grad!.IsFinite().All().ToBoolean().Should().BeTrue(key);
            }
        }
    }
}
