using DiffusionCore.Torch.Nn;
using static DiffusionCore.Torch.Tests.Nn.TestData;

namespace DiffusionCore.Torch.Tests.Nn;

public class StateDictTests
{
    [Fact]
    public void State_dict_holds_aliases_of_the_module_tensors()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(3, 2, generator: g);
        var sd = lin.StateDict();
        sd["weight"].RequiresGrad.Should().BeFalse("state_dict tensors are detached");
        using (new NoGradScope())
        {
            sd["weight"].FillInPlace(0.25);
        }

        F(lin.Weight).Should().OnlyContain(v => v == 0.25f);
        sd["weight"].Dispose();
        lin.Weight.IsDisposed.Should().BeFalse("disposing an alias leaves the parameter alive");
    }

    [Fact]
    public void Round_trip_into_a_differently_initialised_model_gives_identical_outputs()
    {
        using var scope = new TensorScope();
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        using var a = new TestNet(4, 2, g1);
        using var b = new TestNet(4, 2, g2);
        Tensor x = Tensor.Randn([5, 4], g1);
        F(a.Forward(x)).Should().NotEqual(F(b.Forward(x)));
        Tensor bWeightBefore = b.Head.Weight;

        StateDictLoadResult result = b.LoadStateDict(a.StateDict());

        result.IsExactMatch.Should().BeTrue();
        F(b.Forward(x)).Should().Equal(F(a.Forward(x)));
        ReferenceEquals(b.Head.Weight, bWeightBefore).Should().BeTrue("values are copied in place");
        b.Head.Weight.RequiresGrad.Should().BeTrue();
    }

    [Fact]
    public void Strict_load_lists_missing_unexpected_and_mis_shaped_keys_and_loads_nothing()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var net = new TestNet(4, 1, g);
        using var g9 = new Generator(9);
        using var other = new TestNet(4, 1, g9, outputs: 3);
        var sd = other.StateDict();
        sd.Remove("head.bias");
        sd.Add("extra.weight", Tensor.Zeros([1]));
        float[] normBefore = F(net.GetParameter("blocks.0.norm.weight")!);
        float[] qkvBefore = F(net.GetParameter("blocks.0.attn.qkv.weight")!);

        var ex = FluentActions.Invoking(() => net.LoadStateDict(sd)).Should().Throw<StateDictLoadException>().Which;

        ex.Result.MissingKeys.Should().Equal("head.bias");
        ex.Result.UnexpectedKeys.Should().Equal("extra.weight");
        ex.Result.ShapeMismatches.Should().ContainSingle();
        StateDictShapeMismatch mismatch = ex.Result.ShapeMismatches[0];
        mismatch.Key.Should().Be("head.weight");
        mismatch.ExpectedShape.Should().Equal(2, 4);
        mismatch.ActualShape.Should().Equal(3, 4);
        ex.Message.Should().Contain("Missing key(s) (1): head.bias")
            .And.Contain("Unexpected key(s) (1): extra.weight")
            .And.Contain("head.weight: module has [2, 4], state dict has [3, 4]");
        F(net.GetParameter("blocks.0.attn.qkv.weight")!).Should().Equal(qkvBefore, "a strict failure copies nothing");
        F(net.GetParameter("blocks.0.norm.weight")!).Should().Equal(normBefore);
    }

    [Fact]
    public void Non_strict_load_copies_every_matching_key_and_reports_the_rest()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var net = new TestNet(4, 1, g);
        using var g9 = new Generator(9);
        using var other = new TestNet(4, 1, g9, outputs: 3);
        var sd = other.StateDict();
        sd.Remove("blocks.0.attn.proj.bias");
        sd.Add("extra", Tensor.Zeros([1]));
        float[] headBefore = F(net.Head.Weight);

        StateDictLoadResult result = net.LoadStateDict(sd, strict: false);

        result.MissingKeys.Should().Equal("blocks.0.attn.proj.bias");
        result.UnexpectedKeys.Should().Equal("extra");
        result.ShapeMismatches.Select(m => m.Key).Should().Equal("head.weight", "head.bias");
        result.IsExactMatch.Should().BeFalse();
        F(net.GetParameter("blocks.0.attn.qkv.weight")!).Should().Equal(F(other.GetParameter("blocks.0.attn.qkv.weight")!));
        F(net.GetParameter("blocks.0.attn.proj.weight")!).Should().Equal(F(other.GetParameter("blocks.0.attn.proj.weight")!));
        F(net.Head.Weight).Should().Equal(headBefore, "mis-shaped keys are skipped");
    }

    [Fact]
    public void Load_converts_dtype_and_copies_rather_than_aliasing()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(2, 2, generator: g);
        var sd = new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2),
            ["bias"] = Tensor.FromArray(new double[] { 0.5, -0.5 }, 2),
        };

        lin.LoadStateDict(sd);

        lin.Weight.DType.Should().Be(DType.Float32);
        F(lin.Weight).Should().Equal(1f, 2f, 3f, 4f);
        sd["weight"].FillInPlace(9);
        F(lin.Weight).Should().Equal(1f, 2f, 3f, 4f);
    }

    [Fact]
    public void Persistent_buffers_are_loaded_and_non_persistent_ones_are_not_expected()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var block = new TestBlock(4, g);
        var sd = block.StateDict();
        sd["scale"] = Tensor.Full([1], 3.0);
        block.LoadStateDict(sd).IsExactMatch.Should().BeTrue();
        F(block.GetBuffer("scale")!).Should().Equal(3f);
    }
}
