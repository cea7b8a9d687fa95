namespace DiffusionCore.Torch.Nn;

/// <summary>
/// A lookup table of <see cref="NumEmbeddings"/> vectors of size <see cref="EmbeddingDim"/> (torch.nn.Embedding):
/// int64 indices of any shape map to rows of <c>weight</c>, initialised N(0, 1) as in PyTorch.
/// </summary>
public sealed class Embedding : Module, ITensorModule
{
    /// <summary>Creates the table and draws it from <paramref name="generator"/> (the default generator when null).</summary>
    public Embedding(int numEmbeddings, int embeddingDim, Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Tensor w = RegisterParameter("weight", Tensor.Empty([numEmbeddings, embeddingDim], dtype, device));
        Init.Normal(w, 0, 1, generator);
    }

    /// <summary>Number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The table [NumEmbeddings, EmbeddingDim].</summary>
    public Tensor Weight => GetParameter("weight")!;

    /// <summary>Rows at int64 <paramref name="input"/> indices; output shape = input shape + [EmbeddingDim] (torch.nn.functional.embedding).</summary>
    public Tensor Forward(Tensor input) => Functional.Embedding(input, Weight);

    /// <inheritdoc />
    protected override string ExtraRepresentation() => $"{NumEmbeddings}, {EmbeddingDim}";
}
