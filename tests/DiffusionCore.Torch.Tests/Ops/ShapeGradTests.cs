using DiffusionCore.Torch.Tests.Infrastructure;

namespace DiffusionCore.Torch.Tests.Ops;

/// <summary>Finite-difference gradient checks of joins, splits, views and rearrangements.</summary>
public class ShapeGradTests
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> ViewLike = new()
    {
        ["Reshape"] = x => x.Reshape(4, 6),
        ["ReshapeInferred"] = x => x.Reshape(-1, 3),
        ["ReshapeNonContiguous"] = x => x.Transpose(0, 2).Reshape(4, -1),
        ["View"] = x => x.View(2, 12),
        ["Permute"] = x => x.Permute(2, 0, 1),
        ["Transpose"] = x => x.Transpose(0, 2),
        ["FlattenAll"] = x => x.Flatten(),
        ["FlattenFrom1"] = x => x.Flatten(1),
        ["Flip"] = x => x.Flip(0, 2),
        ["Roll"] = x => x.Roll([1, -2], [1, 2]),
        ["Narrow"] = x => x.Narrow(2, 1, 2),
        ["Select"] = x => x.Select(1, 2),
        ["Indexer"] = x => x[1],
        ["Repeat"] = x => x.Repeat(2, 1, 2),
        ["RepeatAddingDim"] = x => x.Repeat(2, 1, 1, 1),
        ["ExpandFromUnit"] = x => x.Narrow(1, 0, 1).Expand(2, 5, 4),
        ["ExpandNewLeadingDim"] = x => x.Expand(3, -1, -1, -1),
        ["UnsqueezeSqueeze"] = x => x.Unsqueeze(1).Mul(2.0).Squeeze(1),
        ["SqueezeAll"] = x => x.Narrow(0, 0, 1).Squeeze(),
    };

    public static TheoryData<string> ViewNames => new(ViewLike.Keys);

    [Theory]
    [MemberData(nameof(ViewNames))]
    public void View_and_rearrangement_gradient(string name)
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => ViewLike[name](t[0]), T64.Randn(301, 2, 3, 4));
    }

    [Fact]
    public void Cat_gradient_reaches_every_input()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Tensor.Cat([t[0], t[1], t[0].Sin()], 1), T64.Randn(311, 2, 3), T64.Randn(312, 2, 2));
    }

    [Fact]
    public void Stack_gradient_reaches_every_input()
    {
        using var scope = new TensorScope();
        GradCheck.Check(t => Tensor.Stack([t[0], t[1].Exp()], 1), T64.Randn(313, 2, 3), T64.Randn(314, 2, 3));
    }

    [Fact]
    public void Chunk_gradient_with_uneven_last_chunk()
    {
        using var scope = new TensorScope();
        GradCheck.Check(
            t =>
            {
                Tensor[] c = t[0].Chunk(3, 1);
                c.Should().HaveCount(3);
                c[2].Shape.Should().Equal(2, 1);
                return Tensor.Cat([c[2] * 3.0, c[0].Sin(), c[1]], 1);
            },
            T64.Randn(315, 2, 7));
    }

    [Fact]
    public void Split_gradient_with_explicit_sizes()
    {
        using var scope = new TensorScope();
        GradCheck.Check(
            t =>
            {
                Tensor[] s = t[0].Split([1, 3, 2], 0);
                s.Select(p => p.Shape[0]).Should().Equal(1, 3, 2);
                return Tensor.Cat([s[1].Square(), s[0] * -2.0, s[2]], 0);
            },
            T64.Randn(316, 6, 2));
    }
}
