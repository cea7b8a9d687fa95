using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Randomness;

/// <summary>Same seed → identical bits, for every random op, through explicit generators.</summary>
public class DeterminismTests
{
    private static readonly Dictionary<string, Func<Generator, Tensor>> Draws = new()
    {
        ["RandnFloat32"] = g => Tensor.Randn([3, 5], g),
        ["RandnFloat64"] = g => Tensor.Randn([40], g, DType.Float64), // ≥ 16 elements takes libtorch's vectorised path
        ["Rand"] = g => Tensor.Rand([2, 7], g),
        ["RandFloat64"] = g => Tensor.Rand([33], g, DType.Float64),
        ["RandInt"] = g => Tensor.RandInt(-5, 17, [4, 4], g),
        ["RandIntInt32"] = g => Tensor.RandInt(0, 3, [9], g, DType.Int32),
        ["RandPerm"] = g => Tensor.RandPerm(50, g),
        ["Bernoulli"] = g => Tensor.Full([20], 0.3).Bernoulli(g),
        ["BernoulliInPlace"] = g => Tensor.Zeros([20]).BernoulliInPlace(0.6, g),
        ["MultinomialWithoutReplacement"] = g => T64.Of([0.1, 0.2, 0.3, 0.15, 0.25, 0.5, 0.1, 0.4], 2, 4).Multinomial(3, false, g),
        ["MultinomialWithReplacement"] = g => T64.Of([0.1, 0.2, 0.3, 0.4]).Multinomial(12, true, g),
        ["NormalInPlace"] = g => Tensor.Empty([3, 6]).NormalInPlace(2.0, 0.5, g),
        ["UniformInPlace"] = g => Tensor.Empty([17]).UniformInPlace(-1, 1, g),
        ["RandnLike"] = g => Tensor.Zeros([2, 3], DType.Float64).RandnLike(g),
        ["Dropout"] = g => Functional.Dropout(Tensor.Ones([30]), 0.5, training: true, g),
    };

    public static TheoryData<string> Names => new(Draws.Keys);

    private static byte[] Bits(Tensor t)
    {
        var bytes = new byte[t.NumElements * t.DType.ElementSize()];
        t.CopyBytesTo(bytes);
        return bytes;
    }

    private static byte[] DrawTwice(string name, ulong seed)
    {
        using var scope = new TensorScope();
        using var g = new Generator(seed);
        Func<Generator, Tensor> draw = Draws[name];
        // Two consecutive draws: the second proves the generator advanced identically, not only its first output.
        return [.. Bits(draw(g)), .. Bits(draw(g))];
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_seed_gives_identical_bits(string name)
    {
        DrawTwice(name, 1234).Should().Equal(DrawTwice(name, 1234));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Different_seeds_give_different_draws(string name)
    {
        DrawTwice(name, 1234).Should().NotEqual(DrawTwice(name, 4321));
    }

    [Fact]
    public void Matches_PyTorch_for_the_same_seed()
    {
        // torch.manual_seed(0); torch.rand(3) and torch.manual_seed(0); torch.randn(3) in PyTorch.
        using var scope = new TensorScope();
        using var g = new Generator(0);
        Tensor.Rand([3], g).ShouldBeClose([0.4963, 0.7682, 0.0885], 1e-4);
        g.Seed(0);
        Tensor.Randn([3], g).ShouldBeClose([1.5410, -0.2934, -2.1788], 1e-4);
    }

    [Fact]
    public void GetState_and_SetState_replay_the_same_stream()
    {
        using var scope = new TensorScope();
        using var g = new Generator(99);
        _ = Tensor.Randn([5], g);
        byte[] state = g.GetState();
        state.Should().NotBeEmpty();
        byte[] first = Bits(Tensor.Randn([8], g));
        byte[] second = Bits(Tensor.RandInt(0, 1000, [8], g));

        g.SetState(state);
        Bits(Tensor.Randn([8], g)).Should().Equal(first);
        Bits(Tensor.RandInt(0, 1000, [8], g)).Should().Equal(second);

        using var other = new Generator(1);
        other.SetState(state);
        Bits(Tensor.Randn([8], other)).Should().Equal(first, "a state carries the stream to another generator");
    }

    [Fact]
    public void SetState_with_a_malformed_state_is_a_typed_error()
    {
        using var g = new Generator(1);
        Action act = () => g.SetState([1, 2, 3]);
        act.Should().Throw<TorchException>().WithMessage("*RNG state size*");
        Action nul = () => g.SetState(null!);
        nul.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Seed_restarts_the_stream_and_InitialSeed_reports_it()
    {
        using var scope = new TensorScope();
        using var g = new Generator(5);
        g.InitialSeed.Should().Be(5);
        byte[] a = Bits(Tensor.Rand([10], g));
        _ = Tensor.Rand([10], g);
        g.Seed(5);
        Bits(Tensor.Rand([10], g)).Should().Equal(a);
        g.Seed(77);
        g.InitialSeed.Should().Be(77);
    }

    [Fact]
    public void Generators_are_independent_streams()
    {
        using var scope = new TensorScope();
        using var g1 = new Generator(8);
        using var g2 = new Generator(8);
        _ = Tensor.Randn([100], g1); // advancing g1 must not move g2
        using var fresh = new Generator(8);
        Bits(Tensor.Randn([4], g2)).Should().Equal(Bits(Tensor.Randn([4], fresh)));
    }

    [Fact]
    public void Draws_have_the_documented_ranges_and_statistics()
    {
        using var scope = new TensorScope();
        using var g = new Generator(2024);
        double[] n = T64.Host(Tensor.Randn([20000], g, DType.Float64));
        n.Average().Should().BeApproximately(0, 0.03);
        Math.Sqrt(n.Select(v => v * v).Average()).Should().BeApproximately(1, 0.03);
        T64.Host(Tensor.Rand([5000], g)).Should().OnlyContain(v => v >= 0 && v < 1);
        Tensor ri = Tensor.RandInt(-3, 4, [5000], g);
        ri.DType.Should().Be(DType.Int64);
        ri.ToArray<long>().Should().OnlyContain(v => v >= -3 && v < 4).And.Contain(-3).And.Contain(3);
        Tensor.RandPerm(30, g).ToArray<long>().Should().BeEquivalentTo(Enumerable.Range(0, 30).Select(i => (long)i));
        T64.Host(Tensor.Full([1000], 0.25).Bernoulli(g)).Should().OnlyContain(v => v == 0 || v == 1);
        Tensor.Full([1, 6], 1.0).Multinomial(6, false, g).ToArray<long>().Should().OnlyHaveUniqueItems();
        T64.Host(Tensor.Empty([4000]).NormalInPlace(3, 0.5, g)).Average().Should().BeApproximately(3, 0.05);
    }

    [Fact]
    public void RandInt_with_an_empty_range_is_rejected()
    {
        Action act = () => Tensor.RandInt(3, 3, [2]);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}

/// <summary>Generator.Default and Torch.ManualSeed touch process-wide state, so these run alone.</summary>
[Collection(SerialTests.Name)]
public class DefaultGeneratorTests
{
    [Fact]
    public void ManualSeed_resets_the_default_generator()
    {
        using var scope = new TensorScope();
        try
        {
            Torch.ManualSeed(123);
            Generator.Default.InitialSeed.Should().Be(123);
            double[] a = T64.Host(Tensor.Randn([6]));
            double[] a2 = T64.Host(Tensor.Rand([6]));
            Torch.ManualSeed(123);
            T64.Host(Tensor.Randn([6])).Should().Equal(a);
            T64.Host(Tensor.Rand([6])).Should().Equal(a2);
            using var explicitGen = new Generator(123);
            T64.Host(Tensor.Randn([6], explicitGen)).Should().Equal(a, "the default generator is an ordinary generator with that seed");
        }
        finally
        {
            Torch.ManualSeed(Generator.DefaultSeed);
        }
    }

    [Fact]
    public void Null_generator_means_the_default_generator()
    {
        using var scope = new TensorScope();
        try
        {
            Torch.ManualSeed(7);
            long[] viaNull = Tensor.RandPerm(20).ToArray<long>();
            Torch.ManualSeed(7);
            Tensor.RandPerm(20, Generator.Default).ToArray<long>().Should().Equal(viaNull);
        }
        finally
        {
            Torch.ManualSeed(Generator.DefaultSeed);
        }
    }
}
