using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;
using Xunit.Abstractions;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>The fixed 2-D sin-cos position embedding (Peebles &amp; Xie 2023, §3.2) and its resampling (docs/recipes.md §6).</summary>
public class DiTPositionEmbeddingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(8, 3, 1.0)]
    [InlineData(16, 5, 1.0)]
    [InlineData(12, 4, 0.5)]
    public void Matches_the_closed_form(int dim, int grid, double scale)
    {
        using var scope = new TensorScope();
        double[] actual = SinCosPositionEmbedding.Create2D(dim, grid, scale, DType.Float64).ToArray<double>();
        actual.Should().HaveCount(grid * grid * dim);
        int quarter = dim / 4;
        for (int r = 0; r < grid; r++)
        {
            for (int c = 0; c < grid; c++)
            {
                int token = (r * grid) + c;
                for (int k = 0; k < quarter; k++)
                {
                    double omega = Math.Pow(10000.0, -(double)k / quarter);
                    double x = c * scale, y = r * scale;
                    double[] expected = [Math.Sin(x * omega), Math.Cos(x * omega), Math.Sin(y * omega), Math.Cos(y * omega)];
                    for (int part = 0; part < 4; part++)
                    {
                        actual[(token * dim) + (part * quarter) + k].Should().BeApproximately(expected[part], 1e-12, $"token ({r}, {c}), part {part}, k {k}");
                    }
                }
            }
        }
    }

    /// <remarks>
    /// The fixture's generator added N(0, 0.05²) noise to every state entry (so that zero-initialised adaLN and final
    /// layers give non-trivial gradients): its zero-initialised final linear has std 0.05, and so does pos_embed minus the
    /// sin-cos embedding. Equality is therefore statistical: the residual is zero-mean noise of std 0.05, while any other
    /// layout (y before x, cos before sin) leaves residuals several times larger.
    /// </remarks>
    [Fact]
    public void Default_embedding_is_the_reference_pos_embed_up_to_the_fixture_perturbation()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.OptionsFrom(reference.Config), gen);
        using var scope = new TensorScope();
        Tensor stored = reference.State["pos_embed"].To(DType.Float64);
        Tensor ours = model.PositionEmbeddingParameter.To(DType.Float64);
        ours.Shape.Should().Equal(stored.Shape);

        (double mean, double std) = Moments(stored - ours);
        output.WriteLine($"pos_embed − ours: mean {mean:G3}, std {std:G3}, max {(stored - ours).Abs().Max().ToDouble():G3}");
        (double _, double perturbation) = Moments(reference.State["final_layer.linear.weight"].To(DType.Float64)); // zero at init in the reference
        output.WriteLine($"perturbation of the zero-initialised final linear: std {perturbation:G3}");
        Math.Abs(mean).Should().BeLessThan(0.01);
        std.Should().BeInRange(0.8 * perturbation, 1.2 * perturbation);

        Tensor yFirst = Tensor.Cat([ours.Narrow(2, 32, 32), ours.Narrow(2, 0, 32)], 2);
        Tensor cosFirst = Tensor.Cat([ours.Narrow(2, 16, 16), ours.Narrow(2, 0, 16), ours.Narrow(2, 48, 16), ours.Narrow(2, 32, 16)], 2);
        Moments(stored - yFirst).Std.Should().BeGreaterThan(4 * perturbation);
        Moments(stored - cosFirst).Std.Should().BeGreaterThan(4 * perturbation);
    }

    private static (double Mean, double Std) Moments(Tensor values) => (values.Mean().ToDouble(), values.Std(correction: 0).ToDouble());

    [Fact]
    public void Spanning_resample_puts_the_reference_tokens_on_the_even_positions_of_a_doubled_grid()
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        using var scope = new TensorScope();
        Tensor original = model.PositionEmbeddingParameter.Clone().Squeeze(0);     // [16, 64], grid 4
        model.ResizePositionEmbedding(8, PositionEmbeddingResampling.SpanReferenceGrid);

        model.GridSize.Should().Be(8);
        model.ImageSize.Should().Be(16);
        Tensor resized = model.PositionEmbeddingParameter.Squeeze(0);
        resized.Shape.Should().Equal(64, 64);
        model.PositionEmbeddingParameter.RequiresGrad.Should().BeFalse();
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                resized[(2 * r * 8) + (2 * c)].Sub(original[(r * 4) + c]).Abs().Max().ToDouble()
                    .Should().BeLessThan(1e-6, $"new token ({2 * r}, {2 * c}) sits at reference position ({r}, {c})");
            }
        }

        // Token (0, 1) of the new grid sits half-way between trained positions: x = 0.5, y = 0.
        Tensor half = SinCosPositionEmbedding.Create1D(32, Tensor.FromArray(new double[] { 0.5 })).To(DType.Float32).Squeeze(0);
        resized[1].Narrow(0, 0, 32).Sub(half).Abs().Max().ToDouble().Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Integer_resample_extends_the_grid_with_the_formula_of_a_network_built_for_it()
    {
        using var gen = new Generator(0);
        using var model = new DiffusionTransformer(DiTTestModels.Tiny, gen);
        using var scope = new TensorScope();
        model.ResizePositionEmbedding(6);
        Tensor expected = SinCosPositionEmbedding.Create2D(64, 6).Unsqueeze(0);
        model.PositionEmbeddingParameter.Sub(expected).Abs().Max().ToDouble().Should().Be(0);
        using var gen2 = new Generator(0);
        using var built = new DiffusionTransformer(DiTTestModels.Tiny with { InputSize = 12 }, gen2);
        built.PositionEmbeddingParameter.Sub(model.PositionEmbeddingParameter).Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void A_resized_network_runs_at_the_new_size_and_rejects_the_old_one()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        model.ResizePositionEmbedding(8, PositionEmbeddingResampling.SpanReferenceGrid);
        using var data = new Generator(2);
        Tensor x = Tensor.Randn([2, 4, 16, 16], data);
        Tensor t = Tensor.FromArray(new float[] { 10, 900 });
        Tensor y = Tensor.FromArray(new long[] { 1, 10 });
        Tensor output = model.Forward(x, t, y);
        output.Shape.Should().Equal(2, 8, 16, 16);
        output.IsFinite().All().ToBoolean().Should().BeTrue();

        Action old = () => model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"]);
        old.Should().Throw<ArgumentException>().WithMessage("*8×8*ResizePositionEmbedding*");
    }
}
