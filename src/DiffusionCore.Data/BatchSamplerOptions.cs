namespace DiffusionCore.Data;

/// <summary>Options of a <see cref="BatchSampler"/>.</summary>
public sealed record BatchSamplerOptions
{
    /// <summary>Images per batch (at least 1).</summary>
    public required int BatchSize { get; init; }

    /// <summary>The seed from which every epoch's order is derived (with the epoch number).</summary>
    public ulong Seed { get; init; }

    /// <summary>Shuffle each epoch (the default); when false every epoch is 0, 1, …, Count − 1.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>How an epoch's incomplete last batch is handled; defaults to <see cref="BatchTail.Wrap"/>.</summary>
    public BatchTail Tail { get; init; } = BatchTail.Wrap;

    /// <summary>Throws when an option is invalid.</summary>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }

        if (!Enum.IsDefined(Tail))
        {
            throw new ArgumentOutOfRangeException(nameof(Tail), Tail, "Tail must be Wrap or DropLast.");
        }
    }
}
