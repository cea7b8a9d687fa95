using System.Collections;
using System.Globalization;

namespace DiffusionCore.Torch.Nn;

/// <summary>
/// An indexable list of child modules of one type (torch.nn.ModuleList), registered as "0", "1", … so state-dict keys
/// read "blocks.3.attn.qkv.weight". It has no forward computation: the owner decides how to call its elements, with
/// their own typed signatures.
/// </summary>
/// <typeparam name="TModule">The element type; use <see cref="ModuleList"/> for mixed modules.</typeparam>
public class ModuleList<TModule> : Module, IReadOnlyList<TModule>
    where TModule : Module
{
    private readonly List<TModule> _items = [];

    /// <summary>Creates the list with initial modules.</summary>
    public ModuleList(params IEnumerable<TModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (TModule m in modules)
        {
            Add(m);
        }
    }

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public TModule this[int index] => _items[index];

    /// <summary>Appends a module under the next index (torch.nn.ModuleList.append).</summary>
    /// <returns>The added module.</returns>
    public TModule Add(TModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return module;
    }

    /// <inheritdoc />
    public IEnumerator<TModule> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A <see cref="ModuleList{TModule}"/> of modules of any type (torch.nn.ModuleList).</summary>
public sealed class ModuleList : ModuleList<Module>
{
    /// <summary>Creates the list with initial modules.</summary>
    public ModuleList(params IEnumerable<Module> modules)
        : base(modules)
    {
    }
}
