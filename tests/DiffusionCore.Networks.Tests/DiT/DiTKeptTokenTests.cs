using DiffusionCore.Networks.DiT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.DiT;

/// <summary>The kept-token forward pass for MaskDM masked pre-training (Lei et al. 2023; docs/recipes.md §4).</summary>
public class DiTKeptTokenTests
{
    [Fact]
    public void Keeping_all_tokens_in_order_gives_the_patchified_full_output()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Tensor x = reference["in.x"], t = reference["in.t"], y = reference["in.labels"];
        Tensor all = Tensor.Arange(model.NumTokens).Unsqueeze(0).Expand(3, model.NumTokens);

        Tensor tokens = model.Forward(x, t, y, all);
        tokens.Shape.Should().Equal(3, 16, 2 * 2 * 8);
        Tensor full = DiTTokens.Patchify(model.Forward(x, t, y), model.Options.PatchSize);
        tokens.Sub(full).Abs().Max().ToDouble().Should().BeLessThanOrEqualTo(1e-6);
        DiTTokens.Unpatchify(tokens, 2, 4, 4).Sub(reference["out.D"]).Abs().Max().ToDouble().Should().BeLessThan(1e-4);
    }

    [Fact]
    public void A_permutation_of_all_tokens_permutes_the_output()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        using var gen = new Generator(5);
        Tensor x = reference["in.x"], t = reference["in.t"], y = reference["in.labels"];
        Tensor perm = Tensor.Stack([Tensor.RandPerm(16, gen), Tensor.RandPerm(16, gen), Tensor.RandPerm(16, gen)]);

        Tensor tokens = model.Forward(x, t, y, perm);
        Tensor expected = DiTTokens.Gather(DiTTokens.Patchify(model.Forward(x, t, y), 2), perm);
        tokens.Sub(expected).Abs().Max().ToDouble().Should().BeLessThan(1e-5, "attention is permutation-equivariant once positions are embedded");
    }

    [Fact]
    public void Dropping_tokens_runs_the_blocks_on_the_kept_ones_only()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Tensor x = reference["in.x"], t = reference["in.t"], y = reference["in.labels"];
        Tensor kept = Tensor.FromArray(new long[] { 0, 5, 10, 15, 1, 2, 3, 4, 15, 14, 13, 12 }, 3, 4);

        Tensor tokens = model.Forward(x, t, y, kept);
        tokens.Shape.Should().Equal(3, 4, model.TokenOutputSize);
        tokens.IsFinite().All().ToBoolean().Should().BeTrue();
        Tensor fullAtKept = DiTTokens.Gather(DiTTokens.Patchify(model.Forward(x, t, y), 2), kept);
        tokens.Sub(fullAtKept).Abs().Max().ToDouble().Should().BeGreaterThan(1e-4, "the kept tokens attend to each other only");

        // Each sample's output depends only on its own kept tokens: changing a dropped patch changes nothing.
        Tensor x2 = x.Clone();
        x2[0].Narrow(1, 2, 2).Narrow(2, 2, 2).AddInPlace(10.0);   // token 5 of sample 0 is kept (rows 2–3, columns 2–3)
        Tensor x3 = x.Clone();
        x3[0].Narrow(1, 0, 2).Narrow(2, 2, 2).AddInPlace(10.0);   // token 1 of sample 0 is dropped
        model.Forward(x3, t, y, kept).Sub(tokens).Abs().Max().ToDouble().Should().Be(0);
        model.Forward(x2, t, y, kept)[0].Sub(tokens[0]).Abs().Max().ToDouble().Should().BeGreaterThan(1e-4);
    }

    [Fact]
    public void Target_tokens_line_up_with_the_output_tokens_for_a_masked_loss()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        model.Train();
        using var dropout = new Generator(1);
        using var scope = new TensorScope();
        using var gen = new Generator(3);
        Tensor x = reference["in.x"], t = reference["in.t"], y = reference["in.labels"];
        Tensor kept = Tensor.Stack([Tensor.RandPerm(16, gen).Narrow(0, 0, 4), Tensor.RandPerm(16, gen).Narrow(0, 0, 4), Tensor.RandPerm(16, gen).Narrow(0, 0, 4)]);
        Tensor noise = Tensor.Randn([3, 4, 8, 8], gen);

        // Pixel (r·p + i, c·p + j) of channel ch is element (i·p + j)·C + ch of token r·G + c.
        Tensor targetTokens = model.TargetTokens(noise, kept);
        targetTokens.Shape.Should().Equal(3, 4, 16);
        long token = kept[1][2].ToInt64();
        long r = token / 4, c = token % 4;
        targetTokens[1][2][(((1 * 2) + 0) * 4) + 3].ToDouble().Should().Be(noise[1][3][(2 * r) + 1][2 * c].ToDouble());
        DiTTokens.Unpatchify(DiTTokens.Patchify(noise, 2), 2, 4, 4).Sub(noise).Abs().Max().ToDouble().Should().Be(0);

        Tensor epsilon = DiTTokens.NarrowChannels(model.Forward(x, t, y, kept, dropout), 2, 8, 0, 4);
        epsilon.Shape.Should().Equal(targetTokens.Shape);
        Tensor loss = epsilon.Sub(targetTokens).Square().Mean();
        loss.Backward();
        model.GetParameter("x_embedder.proj.weight")!.Grad.Should().NotBeNull();
    }

    [Fact]
    public void Narrow_channels_matches_the_channel_slice_of_the_image()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using var scope = new TensorScope();
        Tensor image = reference["out.D"];
        Tensor variance = DiTTokens.NarrowChannels(DiTTokens.Patchify(image, 2), 2, 8, 4, 4);
        variance.Sub(DiTTokens.Patchify(image.Narrow(1, 4, 4), 2)).Abs().Max().ToDouble().Should().Be(0);
    }

    [Theory]
    [InlineData(new long[] { 0, 16 }, "*[0, 16)*[0, 16]*")]
    [InlineData(new long[] { -1, 3 }, "*[0, 16)*[-1, 3]*")]
    public void Out_of_range_token_indices_are_rejected(long[] indices, string message)
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Tensor kept = Tensor.FromArray(indices, 1, 2).Expand(3, 2);
        Action act = () => model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"], kept);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Token_indices_of_the_wrong_dtype_or_batch_are_rejected()
    {
        using ReferenceCase reference = ReferenceCase.Load(DiTTestModels.FixtureName);
        using DiffusionTransformer model = DiTTestModels.LoadedTiny(reference);
        using var scope = new TensorScope();
        Action floats = () => model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"], Tensor.Zeros([3, 2]));
        floats.Should().Throw<ArgumentException>().WithMessage("*int64 [B = 3, K ≥ 1]*Float32*");
        Action batch = () => model.Forward(reference["in.x"], reference["in.t"], reference["in.labels"], Tensor.Zeros([2, 2], DType.Int64));
        batch.Should().Throw<ArgumentException>().WithMessage("*[B = 3*[2, 2]*");
    }
}
