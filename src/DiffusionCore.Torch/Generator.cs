using DiffusionCore.Torch.Interop;

namespace DiffusionCore.Torch;

/// <summary>
/// A random number generator (libtorch's Philox/MT generator for its device). Every random operation in DiffusionCore
/// takes one explicitly; the same seed gives the same bits. <see cref="Default"/> is the process-wide generator used
/// when a caller passes null, seeded with <see cref="Torch.ManualSeed"/>.
/// </summary>
public sealed class Generator : IDisposable
{
    private static readonly Lazy<Generator> LazyDefault = new(() => new Generator(DefaultSeed));

    /// <summary>PyTorch's default seed for its global CPU generator.</summary>
    public const ulong DefaultSeed = 67280421310721UL;

    /// <summary>Creates a generator for a device (CPU unless given) seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed, Device? device = null)
    {
        Device d = device ?? Device.Cpu;
        NativeStatus.Check(NativeMethods.dc_generator_new(seed, (int)d.Type, d.Index, out var h));
        Handle = h;
        Device = d;
    }

    /// <summary>The process-wide default generator.</summary>
    public static Generator Default => LazyDefault.Value;

    /// <summary>The device this generator draws on.</summary>
    public Device Device { get; }

    internal GeneratorHandle Handle { get; }

    /// <summary>The seed the generator was last seeded with.</summary>
    public ulong InitialSeed
    {
        get
        {
            NativeStatus.Check(NativeMethods.dc_generator_initial_seed(Handle, out ulong s));
            return s;
        }
    }

    /// <summary>Re-seeds the generator.</summary>
    public void Seed(ulong seed) => NativeStatus.Check(NativeMethods.dc_generator_seed(Handle, seed));

    /// <summary>The complete internal state as bytes (for checkpoints; restores with <see cref="SetState"/>).</summary>
    public byte[] GetState()
    {
        NativeStatus.Check(NativeMethods.dc_generator_get_state(Handle, out var h));
        using var t = new Tensor(h).DetachFromScope();
        return t.ToArray<byte>();
    }

    /// <summary>Restores a state captured by <see cref="GetState"/>.</summary>
    public void SetState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using Tensor t = Tensor.FromArray(state).DetachFromScope();
        NativeStatus.Check(NativeMethods.dc_generator_set_state(Handle, t.Handle));
    }

    /// <summary>Frees the native generator.</summary>
    public void Dispose() => Handle.Dispose();

    internal static GeneratorHandle Resolve(Generator? g) => (g ?? Default).Handle;
}
