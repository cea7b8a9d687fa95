using DiffusionCore.Models;
using DiffusionCore.Networks.DiT;
using DiffusionCore.Networks.Edm;
using DiffusionCore.Networks.Edm2;
using DiffusionCore.Networks.UViT;

namespace DiffusionCore.Networks.Models;

/// <summary>
/// The network families that <see cref="DiffusionModel.Load"/> can rebuild from a model file's description: an explicit
/// table (no reflection over types). <see cref="Default"/> holds the built-in families — <c>edm2</c> (EDM2 UNet and its
/// denoiser, Karras et al. 2024), <c>song-unet</c> (DDPM++/NCSN++), <c>dhariwal-unet</c> (ADM), <c>dit</c> (Peebles
/// &amp; Xie 2023), <c>uvit</c> (U-ViT, Bao et al. 2023) — and takes a user's own with <see cref="Register"/>. Thread-safe.
/// </summary>
public sealed class NetworkRegistry
{
    private readonly Dictionary<string, NetworkFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The process-wide registry with the built-in families.</summary>
    public static NetworkRegistry Default { get; } = CreateWithBuiltIns();

    /// <summary>The registered family names, in ordinal order.</summary>
    public IReadOnlyList<string> Families
    {
        get
        {
            lock (_lock) return [.. _families.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>A new registry with the built-in families only.</summary>
    public static NetworkRegistry CreateWithBuiltIns()
    {
        var registry = new NetworkRegistry();
        registry.Register(NetworkFamily.Create(
            Edm2UNetOptions.Family,
            (json, g, device) => new Edm2UNet(Edm2UNetOptions.FromJson(json), g, device),
            (json, g, device) => new Edm2Denoiser(Edm2UNetOptions.FromJson(json), g, device)));
        registry.Register(NetworkFamily.Create(SongUNetOptions.Family, (json, g, device) => new SongUNet(SongUNetOptions.FromJson(json), g, device)));
        registry.Register(NetworkFamily.Create(DhariwalUNetOptions.Family, (json, g, device) => new DhariwalUNet(DhariwalUNetOptions.FromJson(json), g, device)));
        registry.Register(NetworkFamily.Create(DiTOptions.Family, (json, g, device) => new DiffusionTransformer(DiTOptions.FromJson(json), g, device: device)));
        registry.Register(NetworkFamily.Create(UViTOptions.Family, (json, g, device) => new UViTNetwork(UViTOptions.FromJson(json), g, device: device)));
        return registry;
    }

    /// <summary>Adds a family, or replaces the one of the same name.</summary>
    public void Register(NetworkFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        lock (_lock) _families[family.Name] = family;
    }

    /// <summary>The family of that name.</summary>
    /// <exception cref="ModelFileException">No family of that name is registered; the message lists those that are.</exception>
    public NetworkFamily Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            if (_families.TryGetValue(name, out NetworkFamily? family)) return family;
        }

        throw new ModelFileException(
            $"No network family '{name}' is registered (registered: {string.Join(", ", Families)}). Register it with " +
            "NetworkRegistry.Default.Register(NetworkFamily.Create(...)) before loading.");
    }
}
