using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Merge.Tests;

/// <summary>Exact oracles: every value below is a dyadic rational, so float32 sums of them are exact.</summary>
public sealed class StateDictArithmeticTests : MergeTestBase
{
    [Fact]
    public void A_weighted_sum_of_files_and_tensors_is_the_exact_weighted_sum()
    {
        StateDictSource a = StateDictSource.FromFile(Files.Write("a", ("w", F(1, 2, 3, 4)), ("b", F(0.5f))));
        StateDictSource b = StateDictSource.FromTensors("b", [KeyValuePair.Create("w", F(8, -4, 0.25f, 0)), KeyValuePair.Create("b", F(-2))]);
        StateDictSource c = StateDictSource.FromFile(Files.Write("c", ("b", F(16)), ("w", F(-1, -1, -1, -1))));

        using MergedStateDict sum = StateDictArithmetic.WeightedSum([a, b, c], [0.5, 0.25, -1]);
        Values(sum, "w").Should().Equal(0.5f + 2 + 1, 1 - 1 + 1, 1.5f + 0.0625f + 1, 2 + 0 + 1);
        Values(sum, "b").Should().Equal(0.25f - 0.5f - 16);
        sum.Tensors.Keys.Should().Equal(["w", "b"], "the result keeps the first source's key order");
        sum.Tensors["w"].DType.Should().Be(DType.Float32);
    }

    [Fact]
    public void The_average_is_the_mean_and_a_zero_weight_source_is_not_read()
    {
        StateDictSource[] sources = [.. new[] { 1f, 3f, 5f, 7f }.Select((v, i) => StateDictSource.FromFile(Files.Write($"s{i}", ("w", F(v, -v)))))];
        using MergedStateDict mean = StateDictArithmetic.Average(sources);
        Values(mean, "w").Should().Equal(4, -4);

        // A source of weight 0 is not read at all: its NaN does not turn the sum into NaN (as 0·NaN would).
        StateDictSource poisoned = StateDictSource.FromFile(Files.Write("nan", ("w", F(float.NaN, 1))));
        using MergedStateDict skipped = StateDictArithmetic.WeightedSum([sources[0], poisoned], [2, 0]);
        Values(skipped, "w").Should().Equal(2, -2);
    }

    [Fact]
    public void Task_vector_round_trip_gives_back_the_tuned_weights_exactly()
    {
        using var g = new Generator(5);
        using var theta0 = new Linear(4, 3, generator: g);
        using var theta1 = new Linear(4, 3, generator: g);
        Quantize(theta0);
        Quantize(theta1);

        using MergedStateDict tau = StateDictArithmetic.TaskVector(StateDictSource.FromModule(theta1), StateDictSource.FromModule(theta0));
        string tauFile = Files.PathOf("tau.safetensors");
        tau.Save(tauFile);
        using MergedStateDict back = StateDictArithmetic.AddTaskVectors(StateDictSource.FromModule(theta0), [StateDictSource.FromFile(tauFile)], [1.0]);

        foreach ((string key, Tensor expected) in theta1.StateDict())
        {
            back.Tensors[key].ToArray<float>().Should().Equal(expected.ToArray<float>(), $"θ₀ + (θ₁ − θ₀) = θ₁ for '{key}'");
            tau.Tensors[key].ToArray<float>().Should().Equal(expected.Sub(theta0.StateDict()[key]).ToArray<float>());
        }

        using var target = new Linear(4, 3, generator: g);
        back.LoadInto(target).IsExactMatch.Should().BeTrue();
        target.Weight.ToArray<float>().Should().Equal(theta1.Weight.ToArray<float>());
    }

    [Fact]
    public void Task_vectors_add_with_their_scales()
    {
        StateDictSource @base = StateDictSource.FromTensors("base", [KeyValuePair.Create("w", F(1, 1))]);
        StateDictSource t1 = StateDictSource.FromTensors("t1", [KeyValuePair.Create("w", F(2, 0))]);
        StateDictSource t2 = StateDictSource.FromTensors("t2", [KeyValuePair.Create("w", F(0, 4))]);
        using MergedStateDict merged = StateDictArithmetic.AddTaskVectors(@base, [t1, t2], [0.5, -0.25]);
        Values(merged, "w").Should().Equal(2, 0);
        FluentActions.Invoking(() => StateDictArithmetic.AddTaskVectors(@base, [t1, t2], [1.0]))
            .Should().Throw<ArgumentException>().WithMessage("*2 task vectors but 1 scales*");
    }

    [Fact]
    public void Integer_tensors_and_copied_keys_come_from_the_copy_source_and_several_targets_share_one_pass()
    {
        StateDictSource a = StateDictSource.FromFile(Files.Write("a", ("w", F(2, 4)), ("steps", Tensor.FromArray(new long[] { 10 })), ("freqs", F(1, 2))));
        StateDictSource b = StateDictSource.FromFile(Files.Write("b", ("w", F(6, 8)), ("steps", Tensor.FromArray(new long[] { 20 })), ("freqs", F(3, 4))));
        var options = new MergeOptions { CopiedKeys = new HashSet<string>(["freqs"]) };
        IReadOnlyList<MergedStateDict> results = StateDictArithmetic.WeightedSums([a, b], [new MergeTarget([0.5, 0.5]), new MergeTarget([0, 1], CopyFrom: 1)], options);
        try
        {
            Values(results[0], "w").Should().Equal(4, 6);
            results[0].Tensors["steps"].ToArray<long>().Should().Equal(10);
            results[0].Tensors["steps"].DType.Should().Be(DType.Int64);
            Values(results[0], "freqs").Should().Equal(1, 2);
            Values(results[1], "w").Should().Equal(6, 8);
            results[1].Tensors["steps"].ToArray<long>().Should().Equal(20);
            Values(results[1], "freqs").Should().Equal(3, 4);
        }
        finally
        {
            foreach (MergedStateDict r in results) r.Dispose();
        }
    }

    [Fact]
    public void Float64_accumulation_keeps_float64()
    {
        StateDictSource a = StateDictSource.FromTensors("a", [KeyValuePair.Create("w", Tensor.FromArray(new[] { 1e-12, 1.0 }))]);
        StateDictSource b = StateDictSource.FromTensors("b", [KeyValuePair.Create("w", Tensor.FromArray(new[] { 1.0, 1e-12 }))]);
        using MergedStateDict sum = StateDictArithmetic.WeightedSum([a, b], [1, 1], new MergeOptions { AccumulationDType = DType.Float64 });
        sum.Tensors["w"].DType.Should().Be(DType.Float64);
        sum.Tensors["w"].ToArray<double>().Should().Equal(1.0 + 1e-12, 1.0 + 1e-12);
    }

    [Fact]
    public void A_missing_key_names_the_key_and_the_source()
    {
        string first = Files.Write("first", ("w", F(1)), ("b", F(1)));
        string other = Files.Write("other", ("w", F(1)));
        var e = FluentActions.Invoking(() => StateDictArithmetic.Average([StateDictSource.FromFile(first), StateDictSource.FromFile(other)]))
            .Should().Throw<StateDictMismatchException>().Which;
        e.Key.Should().Be("b");
        e.SourceName.Should().Be(other);
        e.Message.Should().Contain("'b' is missing").And.Contain("does not hold the same tensors").And.Contain(first);
    }

    [Fact]
    public void An_extra_key_a_shape_and_a_dtype_mismatch_are_named()
    {
        StateDictSource first = StateDictSource.FromTensors("first", [KeyValuePair.Create("w", F(1, 2)), KeyValuePair.Create("b", F(1))]);
        StateDictSource extra = StateDictSource.FromTensors("extra", [KeyValuePair.Create("w", F(1, 2)), KeyValuePair.Create("b", F(1)), KeyValuePair.Create("z", F(0))]);
        StateDictSource shape = StateDictSource.FromTensors("shape", [KeyValuePair.Create("w", F(1, 2, 3)), KeyValuePair.Create("b", F(1))]);
        StateDictSource dtype = StateDictSource.FromTensors("dtype", [KeyValuePair.Create("w", F(1, 2)), KeyValuePair.Create("b", Tensor.FromArray(new[] { 1.0 }))]);

        FluentActions.Invoking(() => StateDictArithmetic.Average([first, extra])).Should().Throw<StateDictMismatchException>()
            .Where(e => e.Key == "z" && e.SourceName == "extra").WithMessage("*'z' is not in 'first'*");
        FluentActions.Invoking(() => StateDictArithmetic.Average([first, shape])).Should().Throw<StateDictMismatchException>()
            .Where(e => e.Key == "w").WithMessage("*'w' has shape [3], not [2]*");
        FluentActions.Invoking(() => StateDictArithmetic.Average([first, dtype])).Should().Throw<StateDictMismatchException>()
            .Where(e => e.Key == "b").WithMessage("*'b' is Float64, not Float32*convert*");
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_fix()
    {
        StateDictSource a = StateDictSource.FromTensors("a", [KeyValuePair.Create("w", F(1))]);
        FluentActions.Invoking(() => StateDictArithmetic.WeightedSum([], [])).Should().Throw<ArgumentException>().WithMessage("*at least one state dict*");
        FluentActions.Invoking(() => StateDictArithmetic.WeightedSum([a, a], [1])).Should().Throw<ArgumentException>().WithMessage("*1 weights for 2 sources*");
        FluentActions.Invoking(() => StateDictArithmetic.WeightedSum([a], [double.NaN])).Should().Throw<ArgumentException>().WithMessage("*weights must be finite*");
        FluentActions.Invoking(() => StateDictArithmetic.WeightedSums([a], [new MergeTarget([1], CopyFrom: 1)])).Should().Throw<ArgumentException>().WithMessage("*copies from source 1*");
        FluentActions.Invoking(() => StateDictArithmetic.Average([a], new MergeOptions { AccumulationDType = DType.Int64 })).Should().Throw<ArgumentException>().WithMessage("*floating point*");
        FluentActions.Invoking(() => StateDictSource.FromTensors("dup", [KeyValuePair.Create("w", F(1)), KeyValuePair.Create("w", F(2))]))
            .Should().Throw<ArgumentException>().WithMessage("*'w' is given twice*");
    }

    /// <summary>Sets every parameter to multiples of 1/8 in [−2, 2], so differences and sums are exact in float32.</summary>
    private static void Quantize(Module module)
    {
        using var noGrad = new NoGradScope();
        using var scope = new TensorScope();
        foreach (Tensor p in module.Parameters())
        {
            p.CopyFrom(p.Mul(16).Round().Clamp(-16, 16).Div(8));
        }
    }
}
