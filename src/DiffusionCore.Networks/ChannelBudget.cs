using System.Globalization;
using DiffusionCore.Torch;

namespace DiffusionCore.Networks;

/// <summary>
/// Checks of a UNet's size made before anything is allocated: that every channel count <c>ModelChannels·multiplier</c>
/// fits a 32-bit integer (it used to wrap silently), and that the weights fit in the memory this process can still
/// allocate (a mistyped width used to be found by the kernel's OOM killer after minutes of allocation).
/// </summary>
internal static class ChannelBudget
{
    private const int BytesPerParameter = 4;

    /// <summary>Throws unless <c>modelChannels·multiplier</c> fits an <see cref="int"/> for each multiplier.</summary>
    /// <exception cref="ArgumentException">A product overflows; the message names the option.</exception>
    internal static void CheckProducts(string owner, int modelChannels, IEnumerable<int> multipliers, string multiplierName)
    {
        foreach (int m in multipliers)
        {
            if ((long)modelChannels * m > int.MaxValue)
            {
                throw new ArgumentException(
                    $"{owner}: ModelChannels {modelChannels} × {multiplierName} {m} = {(long)modelChannels * m} channels, more than a layer can have " +
                    $"({int.MaxValue}); lower ModelChannels or {multiplierName}.",
                    multiplierName);
            }
        }
    }

    /// <summary>
    /// A lower bound on a UNet's parameter count: at every level, each of the <paramref name="numBlocks"/> encoder and
    /// <paramref name="numBlocks"/> + 1 decoder blocks holds a 3×3 convolution from the level's channels c to c
    /// (EDM2's <c>conv_res1</c>, EDM/ADM's <c>conv1</c>), 9c² weights.
    /// </summary>
    internal static double ParameterFloor(int modelChannels, IReadOnlyList<int> channelMult, int numBlocks) =>
        channelMult.Sum(m => (2.0 * numBlocks + 1) * 9 * Math.Pow((double)modelChannels * m, 2));

    /// <summary>
    /// Throws when even <paramref name="parameterFloor"/> float32 weights exceed what the machine can still give this
    /// process (<see cref="SystemMemory.AvailableBytes"/>). Only for the CPU: the meta device allocates nothing and other
    /// devices' memory is not queried.
    /// </summary>
    /// <exception cref="ArgumentException">The network cannot fit; the message gives the sizes and the fix.</exception>
    internal static void EnsureFits(string owner, double parameterFloor, Device? device)
    {
        if (device is { } d && d.Type != DeviceType.Cpu) return;
        double bytes = parameterFloor * BytesPerParameter;
        long available = SystemMemory.AvailableBytes();
        if (bytes <= available) return;
        throw new ArgumentException(string.Format(
            CultureInfo.InvariantCulture,
            "{0} describes a network of at least {1:E3} parameters ({2:F1} GiB of float32 weights), more than the {3:F1} GiB " +
            "this process can still allocate; lower ModelChannels, ChannelMult or NumBlocks (or build it on Device.Meta to " +
            "count its parameters without allocating).",
            owner, parameterFloor, bytes / (1L << 30), available / (double)(1L << 30)));
    }
}
