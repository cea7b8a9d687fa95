using DiffusionCore.Torch;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Hosting;

/// <summary>Process-wide settings a host applies at start (docs/hosting.md).</summary>
public sealed class DiffusionCoreOptions
{
    /// <summary>
    /// libtorch's intra-op thread count (<see cref="Torch.Torch.NumThreads"/>), set when the host starts; null (default)
    /// keeps DiffusionCore's default, the cores available to the process (<see cref="IntraOpThreads"/>), or
    /// <c>OMP_NUM_THREADS</c> when set. A resume is bit-exact only with the count the checkpoint was written with.
    /// </summary>
    public int? IntraOpThreads { get; set; }
}

/// <summary>Validates <see cref="DiffusionCoreOptions"/>.</summary>
internal sealed class DiffusionCoreOptionsValidator : IValidateOptions<DiffusionCoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DiffusionCoreOptions options) =>
        options.IntraOpThreads is < 1
            ? ValidateOptionsResult.Fail($"IntraOpThreads is {options.IntraOpThreads}: give at least 1, or null for the cores available to the process.")
            : ValidateOptionsResult.Success;
}
