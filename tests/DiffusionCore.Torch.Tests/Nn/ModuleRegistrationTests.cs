using DiffusionCore.Torch.Nn;
using static DiffusionCore.Torch.Tests.Nn.TestData;

namespace DiffusionCore.Torch.Tests.Nn;

public class ModuleRegistrationTests
{
    [Fact]
    public void Sequential_state_dict_keys_match_pytorch()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var seq = new Sequential(new Linear(3, 4, generator: g), new Silu(), new Linear(4, 2, generator: g));
        seq.StateDict().Keys.Should().Equal("0.weight", "0.bias", "2.weight", "2.bias");
        seq.NamedParameters().Select(kv => kv.Key).Should().Equal("0.weight", "0.bias", "2.weight", "2.bias");
        seq.NamedModules().Select(kv => kv.Key).Should().Equal("", "0", "1", "2");
    }

    [Fact]
    public void Nested_keys_follow_pytorch_order_params_then_buffers_then_children()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var net = new TestNet(4, 2, g);
        string[] block(int i) =>
        [
            $"blocks.{i}.scale",
            $"blocks.{i}.norm.weight", $"blocks.{i}.norm.bias",
            $"blocks.{i}.attn.qkv.weight", $"blocks.{i}.attn.qkv.bias",
            $"blocks.{i}.attn.proj.weight", $"blocks.{i}.attn.proj.bias",
        ];
        string[] expected = [.. block(0), .. block(1), "head.weight", "head.bias"];
        net.StateDict().Keys.Should().Equal(expected);
        net.GetParameter("blocks.1.attn.qkv.weight")!.Shape.Should().Equal(12, 4);
        net.GetSubmodule("blocks.1.attn").Should().BeOfType<TestAttention>();
        net.NamedBuffers().Select(kv => kv.Key).Should().Equal("blocks.0.scale", "blocks.0.cache", "blocks.1.scale", "blocks.1.cache");
        net.Children().Should().HaveCount(2);
        IEnumerable<KeyValuePair<string, Module>> modules = net.NamedModules();
        modules.Should().HaveCount(1 + 1 + 2 * 5 + 1);
        modules.Select(kv => kv.Key).Should().StartWith(["", "blocks", "blocks.0", "blocks.0.norm", "blocks.0.attn", "blocks.0.attn.qkv"], "enumerating twice gives the same modules");
    }

    [Fact]
    public void Non_persistent_buffers_are_buffers_but_not_state()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var block = new TestBlock(4, g);
        block.NamedBuffers().Select(kv => kv.Key).Should().Equal("scale", "cache");
        block.StateDict().Keys.Should().NotContain("cache").And.Contain("scale");
    }

    [Fact]
    public void Invalid_or_duplicate_names_and_non_leaf_parameters_are_rejected()
    {
        using var scope = new TensorScope();
        using var m = new Identity();
        m.RegisterParameter("w", Tensor.Zeros([2]));
        FluentActions.Invoking(() => m.RegisterParameter("w", Tensor.Zeros([2]))).Should().Throw<ArgumentException>().WithMessage("*already has*'w'*");
        FluentActions.Invoking(() => m.RegisterBuffer("w", Tensor.Zeros([2]))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => m.RegisterModule("a.b", new Identity())).Should().Throw<ArgumentException>().WithMessage("*must not contain '.'*");
        FluentActions.Invoking(() => m.RegisterParameter("", Tensor.Zeros([2]))).Should().Throw<ArgumentException>();
        Tensor leaf = Tensor.Ones([2]).RequiresGradInPlace();
        Tensor nonLeaf = leaf * 2;
        FluentActions.Invoking(() => m.RegisterParameter("x", nonLeaf)).Should().Throw<ArgumentException>().WithMessage("*not a leaf*");
    }

    [Fact]
    public void Registered_parameters_require_grad_and_survive_the_scope_they_were_made_in()
    {
        Linear lin;
        using (new TensorScope())
        {
            using var g = new Generator(3);
            lin = new Linear(3, 2, generator: g);
        }

        using var owned = lin;
        using var scope = new TensorScope();
        lin.Weight.IsDisposed.Should().BeFalse();
        lin.Weight.RequiresGrad.Should().BeTrue();
        lin.Forward(Tensor.Ones([1, 3])).Shape.Should().Equal(1, 2);
    }

    [Fact]
    public void Dispose_frees_parameters_buffers_and_children()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        var net = new TestNet(4, 1, g);
        Tensor w = net.GetParameter("blocks.0.attn.qkv.weight")!;
        Tensor b = net.GetBuffer("blocks.0.scale")!;
        net.Dispose();
        w.IsDisposed.Should().BeTrue();
        b.IsDisposed.Should().BeTrue();
        FluentActions.Invoking(() => net.StateDict()).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Train_and_eval_propagate_to_all_descendants()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var net = new TestNet(4, 2, g);
        net.Modules().Should().OnlyContain(m => m.IsTraining);
        net.Eval();
        net.Modules().Should().OnlyContain(m => !m.IsTraining);
        net.Blocks[1].Train();
        net.IsTraining.Should().BeFalse();
        net.Blocks[1].Modules().Should().OnlyContain(m => m.IsTraining);
    }

    [Fact]
    public void Tied_parameters_are_listed_once_but_keyed_twice_in_the_state_dict()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        var a = new Linear(4, 4, generator: g);
        var b = new Linear(4, 4, bias: false, generator: g);
        using var seq = new Sequential(a, b);
        Tensor? old = b.ReplaceParameter("weight", a.Weight);
        old!.Dispose();
        seq.Parameters().Should().HaveCount(2);
        seq.NumParameters().Should().Be(16 + 4);
        seq.StateDict().Keys.Should().Equal("0.weight", "0.bias", "1.weight");
        ReferenceEquals(b.Weight, a.Weight).Should().BeTrue();
    }

    [Fact]
    public void ReplaceParameter_is_seen_by_forward()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(3, 2, generator: g);
        lin.ReplaceParameter("weight", Tensor.Zeros([2, 3]))!.Dispose();
        F(lin.Forward(Tensor.Ones([1, 3]))).Should().Equal(F(lin.Bias!));
        FluentActions.Invoking(() => lin.ReplaceParameter("nope", null)).Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void NumParameters_counts_distinct_elements_and_trainable_ones()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var seq = new Sequential(new Linear(3, 4, generator: g), new Silu(), new Linear(4, 2, generator: g));
        seq.NumParameters().Should().Be(12 + 4 + 8 + 2);
        ((Linear)seq[0]).Weight.RequiresGrad = false;
        seq.NumParameters(trainableOnly: true).Should().Be(4 + 8 + 2);
    }

    [Fact]
    public void ZeroGrad_clears_or_zeroes_gradients()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var lin = new Linear(3, 2, generator: g);
        lin.Forward(Tensor.Ones([4, 3])).Sum().Backward();
        lin.Weight.Grad.Should().NotBeNull();
        lin.ZeroGrad(setToNone: false);
        F(lin.Weight.Grad!).Should().OnlyContain(v => v == 0f);
        lin.ZeroGrad();
        lin.Weight.Grad.Should().BeNull();
        lin.Bias!.Grad.Should().BeNull();
    }

    [Fact]
    public void ToString_prints_a_pytorch_like_tree()
    {
        using var scope = new TensorScope();
        using var g = new Generator(1);
        using var seq = new Sequential(new Conv2d(1, 4, 3, padding: 1, generator: g), new Silu(), new Linear(4, 2, bias: false, generator: g));
        string text = seq.ToString();
        text.Should().Contain("(0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
        text.Should().Contain("(1): Silu()");
        text.Should().Contain("(2): Linear(in_features=4, out_features=2, bias=False)");
    }

    [Fact]
    public void Sequential_rejects_modules_without_a_tensor_forward()
    {
        using var scope = new TensorScope();
        FluentActions.Invoking(() => new Sequential(new Identity(), new ModuleList()))
            .Should().Throw<ArgumentException>().WithMessage("*element 1 (ModuleList)*ITensorModule*");
    }
}
