using DiffusionCore.Labels;
using DiffusionCore.Torch;

namespace DiffusionCore.Guidance.Tests;

/// <summary>Guidance that asks the network for its unconditional input (issue 18, item 1: zeros must never become class 0).</summary>
public sealed class DeclaredUnconditionalTests : IDisposable
{
    private readonly TensorScope _scope = new();

    public void Dispose() => _scope.Dispose();

    /// <summary>A denoiser that records the class labels of every call and returns, per sample, the sum of label·(1, 2, …).</summary>
    private sealed class Recording(ClassLabelSpec? spec) : IDenoiser, IClassConditioned
    {
        public List<Tensor> Calls { get; } = [];

        public ClassLabelSpec? ClassLabelSpec => spec;

        public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning)
        {
            Tensor labels = conditioning.Get(ConditioningKeys.ClassLabels);
            Calls.Add(labels.Clone().MoveToOuterScope());
            Tensor value = labels.DType.IsFloatingPoint()
                ? labels.Mul(Tensor.Arange(1, labels.Size(1) + 1).To(DType.Float32)).Sum([1L])
                : labels.To(DType.Float32).Add(100);
            return x.ZerosLike().Add(value.Reshape(-1, 1));
        }
    }

    private static readonly ClassLabelSpec OneHot3 = new(3, ClassLabelFormat.OneHot);
    private static readonly ClassLabelSpec Dit3 = new(3, ClassLabelFormat.Indices);

    private static (Tensor X, Tensor Sigma) Inputs(int batch) => (Tensor.Zeros([batch, 2]), Tensor.Full([batch], 1.0, DType.Float32));

    [Fact]
    public void The_issue_case_zero_labels_on_integer_indices_is_an_error_not_class_zero()
    {
        var net = new Recording(OneHot3);
        var cfg = new ClassifierFreeGuidance(net, 2, Unconditional.ZeroClassLabels());
        (Tensor x, Tensor sigma) = Inputs(2);
        Action guided = () => cfg.Denoise(x, sigma, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 1 })));
        guided.Should().Throw<ArgumentException>().WithMessage("*integer class indices*zeros would be class 0*Unconditional.For(denoiser)*");
        net.Calls.Should().BeEmpty("nothing is evaluated with a mis-wired unconditional branch");
    }

    [Fact]
    public void Null_index_on_one_hot_rows_is_an_error()
    {
        var cfg = new ClassifierFreeGuidance(new Recording(OneHot3), 2, Unconditional.NullClassLabel(3));
        (Tensor x, Tensor sigma) = Inputs(2);
        Action guided = () => cfg.Denoise(x, sigma, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 1 }).OneHot(3).To(DType.Float32)));
        guided.Should().Throw<ArgumentException>().WithMessage("*NullClassLabel replaces integer class indices*zero row*");
    }

    [Fact]
    public void A_one_hot_network_given_indices_gets_zero_rows_as_its_unconditional_input_in_two_calls()
    {
        var net = new Recording(OneHot3);
        var cfg = new ClassifierFreeGuidance(net, 2);
        (Tensor x, Tensor sigma) = Inputs(2);
        Tensor d = cfg.Denoise(x, sigma, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 0, 2 })));

        net.Calls.Should().HaveCount(2, "indices and zero rows do not concatenate");
        net.Calls[0].ToArray<long>().Should().Equal(0, 2);
        net.Calls[1].Shape.Should().Equal(2, 3);
        net.Calls[1].ToArray<float>().Should().AllBeEquivalentTo(0f);
        // D_u = 100 + index for indices … the recording's conditional value is 100 + i, unconditional 0: 0 + 2·(100 + i − 0).
        d.Select(1, 0).ToArray<float>().Should().Equal(200f, 204f);
    }

    [Fact]
    public void A_one_hot_network_given_rows_batches_both_branches_and_matches_the_explicit_mapping_exactly()
    {
        Tensor rows = Tensor.FromArray(new long[] { 1, 2, 0 }).OneHot(3).To(DType.Float32);
        (Tensor x, Tensor sigma) = Inputs(3);
        var declared = new Recording(OneHot3);
        var explicitNet = new Recording(OneHot3);
        float[] a = new ClassifierFreeGuidance(declared, 1.7).Denoise(x, sigma, Conditioning.FromClassLabels(rows)).ToArray<float>();
        float[] b = new ClassifierFreeGuidance(explicitNet, 1.7, Unconditional.ZeroClassLabels()).Denoise(x, sigma, Conditioning.FromClassLabels(rows)).ToArray<float>();

        declared.Calls.Should().ContainSingle().Which.Shape.Should().Equal(6, 3);
        a.Should().Equal(b);
    }

    [Fact]
    public void An_index_network_gets_its_null_label()
    {
        var net = new Recording(Dit3);
        (Tensor x, Tensor sigma) = Inputs(2);
        new ClassifierFreeGuidance(net, 1.5).Denoise(x, sigma, Conditioning.FromClassLabels(Tensor.FromArray(new long[] { 2, 0 })));
        net.Calls.Should().ContainSingle().Which.ToArray<long>().Should().Equal(2, 0, 3, 3);
    }

    [Theory]
    [InlineData("onehot-range")]
    [InlineData("onehot-width")]
    [InlineData("index-floats")]
    [InlineData("index-range")]
    public void Labels_that_do_not_fit_the_declared_input_are_clear_errors(string kind)
    {
        (ClassLabelSpec spec, Tensor labels, string message) = kind switch
        {
            "onehot-range" => (OneHot3, Tensor.FromArray(new long[] { 0, 3 }), "*must lie in [0, 3)*got values in [0, 3]*"),
            "onehot-width" => (OneHot3, Tensor.Zeros([2, 4]), "*one-hot floats [2, 3]*got [2, 4]*"),
            "index-floats" => (Dit3, Tensor.Zeros([2, 3]), "*takes int64 class indices [2]*not one-hot rows*"),
            _ => (Dit3, Tensor.FromArray(new long[] { 0, 4 }), "*must lie in [0, 4)*"),
        };
        var cfg = new ClassifierFreeGuidance(new Recording(spec), 2);
        (Tensor x, Tensor sigma) = Inputs(2);
        Action guided = () => cfg.Denoise(x, sigma, Conditioning.FromClassLabels(labels));
        guided.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Guidance_refuses_denoisers_without_an_unconditional_input()
    {
        FluentActions.Invoking(() => new ClassifierFreeGuidance(new Plain(), 2)).Should().Throw<ArgumentException>().WithMessage("*does not declare*IClassConditioned*");
        FluentActions.Invoking(() => new ClassifierFreeGuidance(new Recording(null), 2)).Should().Throw<ArgumentException>().WithMessage("*takes no class labels*Autoguidance*");
        FluentActions.Invoking(() => new AdaptiveProjectedGuidance(new Recording(Dit3 with { HasUnconditional = false }), 2))
            .Should().Throw<ArgumentException>().WithMessage("*has no null label*");
        FluentActions.Invoking(() => new CfgPlusPlus(new Recording(OneHot3), 0.5, [10.0, 1.0, 0.0])).Should().NotThrow();
    }

    private sealed class Plain : IDenoiser
    {
        public Tensor Denoise(Tensor x, Tensor sigma, Conditioning conditioning) => x;
    }
}
