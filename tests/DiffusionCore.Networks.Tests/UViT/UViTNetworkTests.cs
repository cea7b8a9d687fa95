using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.UViT;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks.Tests.UViT;

/// <summary>U-ViT (Bao et al. 2023) and its kept-token forward pass for MaskDM (Lei et al. 2023; docs/recipes.md §4).</summary>
public class UViTNetworkTests
{
    private const string NoConv = "uvit_unconditional_no_conv";   // 8×8 images, patch 4 → a 2×2 grid

    private static UViTOptions Small(bool conv = false, int classes = 4) => new()
    {
        ImageSize = 16, PatchSize = 4, InChannels = 3, EmbedDim = 32, Depth = 4, NumHeads = 4, NumClasses = classes, FinalConv = conv, MlpTimeEmbed = true,
    };

    [Fact]
    public void Forward_shapes_and_state_dict_names_follow_the_reference()
    {
        using var g = new Generator(3);
        using var net = new UViTNetwork(Small(), g);
        using var scope = new TensorScope();
        Tensor x = Tensor.Randn([2, 3, 16, 16], g);
        Tensor t = Tensor.FromArray(new float[] { 10, 500 });
        Tensor y = Tensor.FromArray(new long[] { 0, 3 });

        net.Forward(x, t, y).Shape.Should().Equal(2, 3, 16, 16);
        net.Forward(x, t, y, Tensor.FromArray(new long[] { 0, 5, 9, 2, 3, 15 }, 2, 3)).Shape.Should().Equal(2, 3, 4 * 4 * 3);
        net.PositionEmbeddingParameter.Shape.Should().Equal(1, 2 + 16, 32);
        net.StateDict().Keys.Should().Contain([
            "pos_embed", "patch_embed.proj.weight", "time_embed.0.weight", "time_embed.2.bias", "label_emb.weight",
            "in_blocks.1.attn.qkv.weight", "mid_block.mlp.fc2.bias", "out_blocks.0.skip_linear.weight", "out_blocks.1.norm2.weight",
            "norm.bias", "decoder_pred.weight",
        ]).And.NotContain(["in_blocks.0.skip_linear.weight", "in_blocks.0.attn.qkv.bias", "final_layer.weight"]);
    }

    [Fact]
    public void Keeping_every_token_gives_exactly_the_full_forward()
    {
        using ReferenceCase reference = ReferenceCase.Load(NoConv);
        using UViTNetwork net = UViTTestModels.Loaded(reference);
        using var scope = new TensorScope();
        Tensor x = reference["in.x"], t = reference["in.t"];
        Tensor all = Tensor.Arange(4).Unsqueeze(0).Expand(3, 4).Contiguous();

        Tensor full = net.Forward(x, t, classLabels: null);
        Tensor tokens = net.Forward(x, t, null, all);
        tokens.Sub(DiTTokens.Patchify(full, 4)).Abs().Max().ToDouble().Should().Be(0);
        net.ForwardKept(x, t, Conditioning.None, all).Sub(full).Abs().Max().ToDouble().Should().Be(0);
        ReferenceCase.AssertClose(net.ForwardKept(x, t, Conditioning.None, all), reference["out.D"], "kept-token out.D");
    }

    [Fact]
    public void Dropped_patches_do_not_reach_the_output_and_are_zero_in_it()
    {
        using ReferenceCase reference = ReferenceCase.Load(NoConv);
        using UViTNetwork net = UViTTestModels.Loaded(reference);
        using var scope = new TensorScope();
        Tensor x = reference["in.x"], t = reference["in.t"];
        Tensor kept = Tensor.FromArray(new long[] { 0, 3, 1, 2, 2, 3 }, 3, 2);

        Tensor output = net.ForwardKept(x, t, Conditioning.None, kept);
        output[0].Narrow(1, 0, 4).Narrow(2, 4, 4).Abs().Max().ToDouble().Should().Be(0, "token 1 of sample 0 is dropped");
        output[0].Narrow(1, 0, 4).Narrow(2, 0, 4).Abs().Max().ToDouble().Should().BeGreaterThan(0);

        Tensor changed = x.Clone();
        changed[0].Narrow(1, 0, 4).Narrow(2, 4, 4).AddInPlace(10.0);   // token 1 of sample 0
        net.ForwardKept(changed, t, Conditioning.None, kept).Sub(output).Abs().Max().ToDouble().Should().Be(0);
    }

    [Fact]
    public void The_final_convolution_rules_out_the_kept_token_forward()
    {
        using var g = new Generator(4);
        using var net = new UViTNetwork(Small(conv: true), g);
        using var scope = new TensorScope();
        Action kept = () => net.Forward(Tensor.Randn([1, 3, 16, 16], g), Tensor.FromArray(new float[] { 1 }), Tensor.FromArray(new long[] { 1 }), Tensor.FromArray(new long[] { 0, 1 }, 1, 2));
        kept.Should().Throw<InvalidOperationException>().WithMessage("*FinalConv = false*");
    }

    [Theory]
    [InlineData(3, 16, 4, 32, 4, "*Depth must be even*")]
    [InlineData(4, 18, 4, 32, 4, "*ImageSize 18 is not a multiple of PatchSize 4*")]
    [InlineData(4, 16, 4, 30, 4, "*EmbedDim 30 is not divisible by NumHeads 4*")]
    public void Bad_options_are_clear_errors(int depth, int image, int patch, int dim, int heads, string message)
    {
        using var g = new Generator(1);
        Action build = () => new UViTNetwork(new UViTOptions { Depth = depth, ImageSize = image, PatchSize = patch, EmbedDim = dim, NumHeads = heads }, g).Dispose();
        build.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Bad_inputs_are_clear_errors()
    {
        using var g = new Generator(5);
        using var net = new UViTNetwork(Small(), g);
        using var scope = new TensorScope();
        Tensor t = Tensor.FromArray(new float[] { 1 });
        Action wrongSize = () => net.Forward(Tensor.Randn([1, 3, 8, 8], g), t, Tensor.FromArray(new long[] { 1 }));
        wrongSize.Should().Throw<ArgumentException>().WithMessage("*[B, 3, 16, 16]*");
        Action badLabel = () => net.Forward(Tensor.Randn([1, 3, 16, 16], g), t, Tensor.FromArray(new long[] { 4 }));
        badLabel.Should().Throw<ArgumentException>().WithMessage("*[0, 3]*");
        Action noLabel = () => net.Forward(Tensor.Randn([1, 3, 16, 16], g), t, Conditioning.None);
        noLabel.Should().Throw<ArgumentException>().WithMessage("*class-conditional*");
    }
}
