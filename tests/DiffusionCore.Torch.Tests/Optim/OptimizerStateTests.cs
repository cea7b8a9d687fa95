using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;

namespace DiffusionCore.Torch.Tests.Optim;

public class OptimizerStateTests
{
    private static Sequential MakeNet(ulong seed)
    {
        using var g = new Generator(seed);
        return new Sequential(new Conv2d(1, 4, 3, padding: 1, generator: g), new Silu(), new Conv2d(4, 1, 3, padding: 1, generator: g));
    }

    /// <summary>One training step on a batch that depends only on the step index.</summary>
    private static void TrainStep(Sequential net, Optimizer opt, int step)
    {
        using var scope = new TensorScope();
        using var g = new Generator((ulong)(1000 + step));
        Tensor x = Tensor.Randn([4, 1, 8, 8], g);
        opt.ZeroGrad();
        Functional.MseLoss(net.Forward(x), x * 0.5).Backward();
        opt.Step();
    }

    private static OptimizerState Snapshot(OptimizerState live) =>
        new(live.Tensors.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Clone().DetachFromScope())), live.Metadata);

    private static byte[][] Bytes(Module m) =>
        [.. m.Parameters().Select(p =>
        {
            var bytes = new byte[p.NumElements * p.DType.ElementSize()];
            p.CopyBytesTo(bytes);
            return bytes;
        })];

    public static TheoryData<string> Optimizers => new() { "Adam", "AdamW", "SGD" };

    private static Optimizer Make(string name, Module net, bool perturbed) => name switch
    {
        // The resumed optimizer starts with other hyperparameters: loading must restore the saved ones.
        "Adam" => new Adam(net.Parameters(), new AdamOptions { LearningRate = perturbed ? 0.5 : 0.01, Amsgrad = true, Beta2 = 0.99 }),
        "AdamW" => new AdamW(
            [new ParameterGroup(net.Parameters().Take(2), new AdamWOptions { LearningRate = perturbed ? 0.5 : 0.01 }),
             new ParameterGroup(net.Parameters().Skip(2), new AdamWOptions { LearningRate = 0.003, WeightDecay = perturbed ? 0 : 0.1 })]),
        _ => new Sgd(net.Parameters(), new SgdOptions { LearningRate = 0.05, Momentum = perturbed ? 0.1 : 0.9, Nesterov = true }),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Save_and_load_into_a_new_optimizer_resumes_bit_for_bit(string name)
    {
        using var scope = new TensorScope();
        using Sequential net = MakeNet(1);
        using Optimizer opt = Make(name, net, perturbed: false);
        for (int step = 0; step < 5; step++)
        {
            TrainStep(net, opt, step);
        }

        var modelSnapshot = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        using OptimizerState optSnapshot = Snapshot(opt.StateDict());

        for (int step = 5; step < 10; step++)
        {
            TrainStep(net, opt, step);
        }

        using Sequential resumedNet = MakeNet(2);
        resumedNet.LoadStateDict(modelSnapshot);
        using Optimizer resumed = Make(name, resumedNet, perturbed: true);
        resumed.LoadStateDict(optSnapshot);
        for (int step = 5; step < 10; step++)
        {
            TrainStep(resumedNet, resumed, step);
        }

        Bytes(resumedNet).Should().BeEquivalentTo(Bytes(net), o => o.WithStrictOrdering());
        resumed.StateDict().Metadata.Should().Equal(opt.StateDict().Metadata);
    }

    [Fact]
    public void State_layout_uses_pytorch_names_and_exact_strings()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGradInPlace();
        Tensor b = Tensor.FromArray(new[] { 3.0 }).RequiresGradInPlace();
        using var adam = new Adam([new ParameterGroup([a], new AdamOptions { LearningRate = 0.1 }), new ParameterGroup([b], new AdamOptions { LearningRate = 1.0 / 3, Beta1 = 0.8 })]);
        (a.Sum() + b.Sum()).Backward();
        adam.Step();

        using OptimizerState state = adam.StateDict();

        state.Tensors.Keys.Should().Equal("state.0.exp_avg", "state.0.exp_avg_sq", "state.1.exp_avg", "state.1.exp_avg_sq");
        state.Metadata["format"].Should().Be(OptimizerState.FormatVersion);
        state.Metadata["optimizer"].Should().Be("Adam");
        state.Metadata["param_groups"].Should().Be("2");
        state.Metadata["param_groups.0.params"].Should().Be("0");
        state.Metadata["param_groups.1.params"].Should().Be("1");
        state.Metadata["param_groups.1.lr"].Should().Be((1.0 / 3).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        double.Parse(state.Metadata["param_groups.1.lr"], System.Globalization.CultureInfo.InvariantCulture).Should().Be(1.0 / 3);
        state.Metadata["param_groups.1.beta1"].Should().Be("0.8");
        state.Metadata["param_groups.0.amsgrad"].Should().Be("false");
        state.Metadata["state.1.step"].Should().Be("1");
    }

    [Fact]
    public void Loading_a_state_of_another_optimizer_or_grouping_fails_clearly_and_changes_nothing()
    {
        using var scope = new TensorScope();
        Tensor a = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGradInPlace();
        Tensor b = Tensor.FromArray(new[] { 3.0 }).RequiresGradInPlace();
        using var adam = new Adam([a, b]);
        using var sgd = new Sgd([a, b], new SgdOptions { Momentum = 0.9 });
        (a.Sum() + b.Sum()).Backward();
        adam.Step();
        sgd.Step();

        FluentActions.Invoking(() => adam.LoadStateDict(sgd.StateDict())).Should().Throw<ArgumentException>().WithMessage("*saved by SGD*this optimizer is Adam*");

        using var twoGroups = new Adam([new ParameterGroup([a], new AdamOptions()), new ParameterGroup([b], new AdamOptions())]);
        FluentActions.Invoking(() => twoGroups.LoadStateDict(adam.StateDict())).Should().Throw<ArgumentException>().WithMessage("*1 parameter group(s)*this optimizer has 2*");

        using var swapped = new Adam([b, a], new AdamOptions { LearningRate = 0.123 });
        FluentActions.Invoking(() => swapped.LoadStateDict(adam.StateDict())).Should().Throw<ArgumentException>().WithMessage("*state.0.exp_avg*shape [2]*parameter 0 has shape [1]*");
        swapped.ParameterGroups[0].LearningRate.Should().Be(0.123, "a failed load changes nothing");

        using OptimizerState extra = Snapshot(adam.StateDict());
        extra.Tensors.Add("state.0.velocity", Tensor.Zeros([2], DType.Float64).DetachFromScope());
        FluentActions.Invoking(() => adam.LoadStateDict(extra)).Should().Throw<ArgumentException>().WithMessage("*state.0.velocity*");
    }
}
