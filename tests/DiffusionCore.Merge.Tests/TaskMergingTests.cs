using DiffusionCore.Torch;

namespace DiffusionCore.Merge.Tests;

/// <summary>Task arithmetic, averaging and TIES against hand-computed tensors (dyadic values: exact in float32).</summary>
public sealed class TaskMergingTests : MergeTestBase
{
    private StateDictSource File(string name, float[] w, float b, long step = 3) =>
        StateDictSource.FromFile(Files.Write(name, ("w", F(w)), ("b", F(b)), ("step", Tensor.FromArray(new[] { step }))));

    [Fact]
    public void Task_arithmetic_over_files_is_theta0_plus_the_weighted_task_vectors()
    {
        StateDictSource theta0 = File("base", [1, 2, 3, 4], 0.5f, step: 7);
        StateDictSource t1 = File("t1", [2, 2, 5, 0], 1.5f, step: 8);
        StateDictSource t2 = File("t2", [1, 6, 3, 8], -0.5f, step: 9);
        StateDictSource t3 = File("t3", [0, 0, 0, 0], 0.5f, step: 10);

        using MergedStateDict merged = TaskMerging.TaskArithmetic(theta0, [t1, t2, t3], [0.5, 0.25, 0.125]);

        // θ₀ + 0.5·(t1 − θ₀) + 0.25·(t2 − θ₀) + 0.125·(t3 − θ₀), by hand.
        Values(merged, "w").Should().Equal(1 + 0.5f - 0.125f, 2 + 1 - 0.25f, 3 + 1 - 0.375f, 4 - 2 + 1 - 0.5f);
        Values(merged, "b").Should().Equal(0.5f + 0.5f - 0.25f + 0);
        merged.Tensors["step"].ToArray<long>().Should().Equal([7L], "integer tensors are copied from θ₀");
    }

    [Fact]
    public void The_average_of_copies_is_their_mean_and_task_arithmetic_with_weights_one_over_k_equals_it()
    {
        StateDictSource theta0 = File("base", [8, 8, 8, 8], 8);
        StateDictSource[] copies = [File("c0", [1, 2, 3, 4], 1), File("c1", [3, 2, 1, 0], 3), File("c2", [2, 2, 2, 2], 2), File("c3", [-2, 2, -2, 2], -2)];

        using MergedStateDict average = TaskMerging.Average(copies);
        using MergedStateDict arithmetic = TaskMerging.TaskArithmetic(theta0, copies, [0.25, 0.25, 0.25, 0.25]);

        Values(average, "w").Should().Equal(1, 2, 1, 2);
        Values(average, "b").Should().Equal(1);
        Values(arithmetic, "w").Should().Equal(Values(average, "w"));
        Values(arithmetic, "b").Should().Equal(Values(average, "b"));
    }

    [Fact]
    public void Ties_trims_elects_the_sign_and_takes_the_disjoint_mean_of_a_hand_example()
    {
        // θ₀ = 0, so the task vectors are the copies. The trim is over the whole state dict: 4 entries of "w" and 1 of
        // "b" (the integer "step" is copied), so density 0.5 keeps the ⌈2.5⌉ = 3 largest magnitudes of each.
        //   τ1 = [ 4, -1,  2, 0.5 | b 3 ]  → keeps 4, 3, 2          → [ 4,  0, 2, 0 | 3 ]
        //   τ2 = [-2, -3,  1, 0.25| b -4]  → keeps -4, -3, -2        → [-2, -3, 0, 0 | -4]
        //   τ3 = [ 1, -2, -8, 0.5 | b 0.75] → keeps -8, -2, 1        → [ 1, -2, -8, 0 | 0 ]
        // elected sign of Σ: [3 → +, -5 → −, -6 → −, 0 → 0 | -1 → −]
        // disjoint mean: [(4 + 1)/2, (-3 - 2)/2, -8/1, 0, -4/1]
        StateDictSource theta0 = File("base", [0, 0, 0, 0], 0);
        StateDictSource t1 = File("t1", [4, -1, 2, 0.5f], 3);
        StateDictSource t2 = File("t2", [-2, -3, 1, 0.25f], -4);
        StateDictSource t3 = File("t3", [1, -2, -8, 0.5f], 0.75f);

        using MergedStateDict merged = TiesMerging.Merge(theta0, [t1, t2, t3], new TiesOptions { Density = 0.5 });
        Values(merged, "w").Should().Equal(2.5f, -2.5f, -8, 0);
        Values(merged, "b").Should().Equal(-4);

        using MergedStateDict scaled = TiesMerging.Merge(File("base2", [1, 1, 1, 1], 1), [File("u1", [5, 0, 3, 1.5f], 4), File("u2", [-1, -2, 2, 1.25f], -3), File("u3", [2, -1, -7, 1.5f], 1.75f)],
            new TiesOptions { Density = 0.5, Scale = 0.5 });
        Values(scaled, "w").Should().Equal(1 + 1.25f, 1 - 1.25f, 1 - 4, 1);
        Values(scaled, "b").Should().Equal(1 - 2);
    }

    [Fact]
    public void Ties_with_density_one_and_agreeing_signs_is_the_mean_task_vector()
    {
        StateDictSource theta0 = File("base", [1, 1, 1, 1], 1);
        using MergedStateDict merged = TiesMerging.Merge(theta0, [File("a", [2, 3, 1, 0], 2), File("b", [4, 1, 1, -1], 1)], new TiesOptions { Density = 1 });
        // τa = [1, 2, 0, -1 | 1], τb = [3, 0, 0, -2 | 0]: zeros do not count in the mean.
        Values(merged, "w").Should().Equal(1 + 2, 1 + 2, 1, 1 - 1.5f);
        Values(merged, "b").Should().Equal(2);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("shape")]
    [InlineData("dtype")]
    public void Mismatched_copies_name_the_key_in_every_merge(string kind)
    {
        StateDictSource theta0 = StateDictSource.FromFile(Files.Write("base", ("enc.conv.weight", F(1, 2)), ("dec.proj.weight", F(3))));
        (string, Tensor)[] bad = kind switch
        {
            "missing" => [("enc.conv.weight", F(1, 2))],
            "shape" => [("enc.conv.weight", F(1, 2)), ("dec.proj.weight", F(3, 4))],
            _ => [("enc.conv.weight", F(1, 2)), ("dec.proj.weight", F(3).To(DType.Float64))],
        };
        StateDictSource copy = StateDictSource.FromFile(Files.Write("copy", bad));

        foreach (Action merge in new Action[]
        {
            () => TaskMerging.TaskArithmetic(theta0, [copy], [0.5]).Dispose(),
            () => TiesMerging.Merge(theta0, [copy]).Dispose(),
            () => TaskMerging.Average([theta0, copy]).Dispose(),
        })
        {
            merge.Should().Throw<StateDictMismatchException>()
                .Where(e => e.Key == "dec.proj.weight" && e.Message.Contains("dec.proj.weight", StringComparison.Ordinal) &&
                            e.Message.Contains(kind == "missing" ? "missing" : kind == "shape" ? "shape" : "Float", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void Bad_arguments_are_clear_errors()
    {
        StateDictSource theta0 = File("base", [1, 2, 3, 4], 1);
        FluentActions.Invoking(() => TaskMerging.TaskArithmetic(theta0, [], [])).Should().Throw<ArgumentException>().WithMessage("*at least one fine-tuned copy*");
        FluentActions.Invoking(() => TaskMerging.TaskArithmetic(theta0, [theta0], [0.5, 0.5])).Should().Throw<ArgumentException>().WithMessage("*one weight per fine-tuned copy*");
        FluentActions.Invoking(() => TiesMerging.Merge(theta0, [theta0], new TiesOptions { Density = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Density*");
    }
}
