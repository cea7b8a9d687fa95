using DiffusionCore.Labels;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.DiT;

/// <summary>
/// DiT's class-label embedder (Peebles &amp; Xie 2023, §3.2; classifier-free guidance, §4 and Ho &amp; Salimans 2022): a
/// table <c>embedding_table</c> of <c>num_classes + 1</c> rows when labels are dropped in training, the extra row at
/// index <c>num_classes</c> being the learned "null" label used for the unconditional branch of guidance.
/// State-dict key: <c>embedding_table.weight</c>. Initialisation N(0, 0.02²).
/// </summary>
public sealed class LabelEmbedder : Module
{
    private readonly Embedding _table;

    /// <summary>Creates the table, drawing it from <paramref name="generator"/>.</summary>
    /// <param name="numClasses">Number of real classes.</param>
    /// <param name="hiddenSize">Width D of each row.</param>
    /// <param name="dropoutProbability">Training-time probability of replacing a label by the null label; a null row is added when &gt; 0.</param>
    /// <param name="generator">Generator of the initial draw.</param>
    /// <param name="dtype">Parameter dtype.</param>
    /// <param name="device">Parameter device.</param>
    /// <param name="nullRow">Add the null row even when <paramref name="dropoutProbability"/> is 0 (labels dropped by the trainer instead).</param>
    public LabelEmbedder(int numClasses, int hiddenSize, double dropoutProbability, Generator generator, DType dtype = DType.Float32, Device? device = null, bool nullRow = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        if (dropoutProbability is < 0 or > 1 || double.IsNaN(dropoutProbability))
        {
            throw new ArgumentOutOfRangeException(nameof(dropoutProbability), dropoutProbability, "The label dropout probability must be in [0, 1].");
        }

        NumClasses = numClasses;
        DropoutProbability = dropoutProbability;
        HasNullLabel = dropoutProbability > 0 || nullRow;
        int rows = numClasses + (HasNullLabel ? 1 : 0);
        _table = RegisterModule("embedding_table", new Embedding(rows, hiddenSize, generator, dtype, device));
        Init.Normal(_table.Weight, 0, 0.02, generator);
    }

    /// <summary>Number of real classes; the null label, when present, is this index.</summary>
    public int NumClasses { get; }

    /// <summary>Training-time probability of dropping a label to the null label.</summary>
    public double DropoutProbability { get; }

    /// <summary>Whether the table has the null row (index <see cref="NumClasses"/>).</summary>
    public bool HasNullLabel { get; }

    /// <summary>Number of valid label indices (rows of the table).</summary>
    public int NumEmbeddings => _table.NumEmbeddings;

    /// <summary>
    /// Replaces each label independently by the null label with probability <see cref="DropoutProbability"/>, drawing
    /// one uniform number per label from <paramref name="generator"/> (the reference's <c>token_drop</c>, through the
    /// shared <see cref="LabelDropout"/>): the same generator state gives the same dropped labels.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table has no null row.</exception>
    public Tensor DropLabels(Tensor labels, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(generator);
        if (!HasNullLabel)
        {
            throw new InvalidOperationException("This label embedder has no null label (dropout probability 0), so labels cannot be dropped.");
        }

        return LabelDropout.Apply(labels, DropoutProbability, generator, nullLabel: NumClasses);
    }

    /// <summary>
    /// The label embedding y_emb [B, D] of int64 labels [B]. In training mode with a dropout probability &gt; 0 the
    /// labels are first dropped with <see cref="DropLabels"/> using <paramref name="dropoutGenerator"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Labels must be dropped but no generator was given.</exception>
    public Tensor Forward(Tensor labels, Generator? dropoutGenerator)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!IsTraining || DropoutProbability == 0)
        {
            return _table.Forward(labels);
        }

        if (dropoutGenerator is null)
        {
            throw new InvalidOperationException(
                "Label dropout in training mode draws from an explicit generator: give the conditioning a DropoutGenerator " +
                "(conditioning.WithDropoutGenerator(g); DiffusionTrainer passes its step's dropout stream) or pass dropoutGenerator to " +
                "DiffusionTransformer.Forward (or call Eval() for inference).");
        }

        using var scope = new TensorScope();
        return _table.Forward(DropLabels(labels, dropoutGenerator)).MoveToOuterScope();
    }
}
