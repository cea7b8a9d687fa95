namespace DiffusionCore.Torch;

/// <summary>Who chose libtorch's intra-op thread count (<see cref="Torch.NumThreads"/>); see <see cref="IntraOpThreads"/>.</summary>
public enum IntraOpThreadSource
{
    /// <summary>DiffusionCore's default: one thread per core available to the process (<see cref="IntraOpThreads.AvailableCores"/>).</summary>
    Default,

    /// <summary><c>OMP_NUM_THREADS</c> or <c>MKL_NUM_THREADS</c> is set: libtorch took its count from there and DiffusionCore left it.</summary>
    Environment,

    /// <summary>The application set <see cref="Torch.NumThreads"/>.</summary>
    Explicit,

    /// <summary>libtorch's own default: the shim could not apply DiffusionCore's (a shim without the export).</summary>
    Libtorch,
}
