using System.Collections;

namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Tensor modules applied one after another (torch.nn.Sequential). Children are registered as "0", "1", …, so
/// state-dict keys read "0.weight", "2.bias", as in PyTorch.
/// </summary>
public sealed class Sequential : Module, ITensorModule, IReadOnlyList<Module>
{
    private readonly List<ITensorModule> _steps = [];
    private readonly List<Module> _modules = [];

    /// <summary>Creates the chain; every module must implement <see cref="ITensorModule"/>.</summary>
    /// <exception cref="ArgumentException">A module does not map one tensor to one tensor.</exception>
    public Sequential(params IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (Module m in modules)
        {
            Append(m);
        }
    }

    /// <summary>Number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _modules[index];

    /// <summary>Appends a module under the next index (torch.nn.Sequential.append).</summary>
    /// <returns>This sequence.</returns>
    /// <exception cref="ArgumentException">The module does not implement <see cref="ITensorModule"/>.</exception>
    public Sequential Append(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is not ITensorModule step)
        {
            throw new ArgumentException(
                $"Sequential element {_modules.Count} ({module.GetType().Name}) does not implement ITensorModule (one tensor in, one tensor out).", nameof(module));
        }

        RegisterModule(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _modules.Add(module);
        _steps.Add(step);
        return this;
    }

    /// <summary>Feeds <paramref name="input"/> through every module in order; with no modules, returns a new handle to the input.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor x = input;
        foreach (ITensorModule step in _steps)
        {
            x = step.Forward(x);
        }

        return ReferenceEquals(x, input) ? input.Alias() : x;
    }

    /// <inheritdoc />
    public IEnumerator<Module> GetEnumerator() => _modules.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
