using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;

namespace DiffusionCore.Networks.Edm;

/// <summary>
/// The group normalisation of the EDM networks (Karras et al. 2022, App. F; Wu &amp; He 2018): at most 32 groups and at
/// least 4 channels per group, i.e. <c>groups = min(32, ⌊C/4⌋)</c>, with learned per-channel <c>weight</c> (ones) and
/// <c>bias</c> (zeros). DDPM++/NCSN++ use ε = 10⁻⁶, ADM ε = 10⁻⁵.
/// </summary>
public static class EdmGroupNorm
{
    /// <summary>The largest number of groups.</summary>
    public const int MaxGroups = 32;

    /// <summary>The smallest number of channels per group.</summary>
    public const int MinChannelsPerGroup = 4;

    /// <summary>The number of groups for <paramref name="channels"/> channels: min(32, ⌊C/4⌋).</summary>
    public static int GroupCount(int channels) => Math.Min(MaxGroups, channels / MinChannelsPerGroup);

    /// <summary>Creates the layer (parameters <c>weight</c> and <c>bias</c> [C]).</summary>
    /// <exception cref="ArgumentException">Fewer than 4 channels, or C is not divisible by its group count.</exception>
    public static GroupNorm Create(int channels, double eps, Device? device = null)
    {
        int groups = GroupCount(channels);
        if (groups < 1 || channels % groups != 0)
        {
            throw new ArgumentException(
                $"EDM group normalisation of {channels} channels needs min(32, ⌊C/4⌋) = {groups} groups to divide C; " +
                "choose channel counts of at least 4 that are multiples of their group count (e.g. multiples of 32 from 128 up).",
                nameof(channels));
        }

        return new GroupNorm(groups, channels, eps, affine: true, DType.Float32, device);
    }
}
