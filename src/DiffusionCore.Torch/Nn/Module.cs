using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DiffusionCore.Torch.Nn;

/// <summary>
/// Base class of neural-network modules (torch.nn.Module). A module registers its parameters, buffers and child modules
/// explicitly by name (<see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/>, <see cref="RegisterModule{TModule}"/>);
/// no reflection is involved. Names joined with '.' along the child path are exactly PyTorch's <c>state_dict</c> keys
/// (for example <c>"blocks.3.attn.qkv.weight"</c>), and every enumeration keeps registration order.
/// </summary>
/// <remarks>
/// A module owns the tensors registered on it: registration removes them from their <see cref="TensorScope"/>, so a
/// module may be built inside a scope, and <see cref="Dispose()"/> frees them together with the child modules.
/// Subclasses read their own tensors back with <see cref="GetParameter"/> / <see cref="GetBuffer"/> so that
/// <see cref="ReplaceParameter"/> and <see cref="ReplaceBuffer"/> stay effective.
/// </remarks>
public abstract partial class Module : IDisposable
{
    private readonly OrderedDictionary<string, Tensor?> _parameters = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, Tensor?> _buffers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nonPersistentBuffers = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, Module> _modules = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Whether the module is in training mode (torch.nn.Module.training); true after construction.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>
    /// Registers a parameter under <paramref name="name"/> (torch.nn.Module.register_parameter). The module takes
    /// ownership (the tensor leaves its scope) and sets <see cref="Tensor.RequiresGrad"/> to
    /// <paramref name="requiresGrad"/>. A null tensor reserves the name (e.g. an absent bias): it is skipped by
    /// enumerations and the state dict, and can be filled later with <see cref="ReplaceParameter"/>.
    /// </summary>
    /// <returns>The registered tensor.</returns>
    /// <exception cref="ArgumentException">The name is empty, contains '.', is already used, or the tensor is not a leaf.</exception>
    [return: NotNullIfNotNull(nameof(parameter))]
    public Tensor? RegisterParameter(string name, Tensor? parameter, bool requiresGrad = true)
    {
        ThrowIfDisposed();
        ValidateNewName(name);
        PrepareParameter(name, parameter, requiresGrad);
        _parameters.Add(name, parameter);
        return parameter;
    }

    /// <summary>
    /// Registers a buffer: state that is not trained but belongs to the module, such as running statistics or fixed
    /// frequencies (torch.nn.Module.register_buffer). Persistent buffers are part of <see cref="StateDict"/>. The module
    /// takes ownership of the tensor.
    /// </summary>
    /// <returns>The registered tensor.</returns>
    [return: NotNullIfNotNull(nameof(buffer))]
    public Tensor? RegisterBuffer(string name, Tensor? buffer, bool persistent = true)
    {
        ThrowIfDisposed();
        ValidateNewName(name);
        buffer?.DetachFromScope();
        _buffers.Add(name, buffer);
        if (!persistent)
        {
            _nonPersistentBuffers.Add(name);
        }

        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/> (torch.nn.Module.add_module); its keys get the prefix <c>name.</c>.</summary>
    /// <returns>The registered module.</returns>
    public TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ThrowIfDisposed();
        ValidateNewName(name);
        if (ReferenceEquals(module, this))
        {
            throw new ArgumentException("A module cannot be registered as its own child.", nameof(module));
        }

        _modules.Add(name, module);
        return module;
    }

    /// <summary>
    /// Replaces the tensor of the parameter registered on this module as <paramref name="name"/> (not a dotted path).
    /// The module takes ownership of <paramref name="parameter"/> and sets its <see cref="Tensor.RequiresGrad"/>; the
    /// previous tensor is returned and is the caller's to dispose (or to keep, e.g. when tying weights).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No parameter of that name is registered on this module.</exception>
    public Tensor? ReplaceParameter(string name, Tensor? parameter, bool requiresGrad = true)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(name);
        if (!_parameters.TryGetValue(name, out Tensor? previous))
        {
            throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}' to replace; register it first.");
        }

        PrepareParameter(name, parameter, requiresGrad);
        _parameters[name] = parameter;
        return previous;
    }

    /// <summary>
    /// Replaces the tensor of the buffer registered on this module as <paramref name="name"/>, keeping its persistence.
    /// The module takes ownership of <paramref name="buffer"/>; the previous tensor is returned to the caller.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No buffer of that name is registered on this module.</exception>
    public Tensor? ReplaceBuffer(string name, Tensor? buffer)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(name);
        if (!_buffers.TryGetValue(name, out Tensor? previous))
        {
            throw new KeyNotFoundException($"{GetType().Name} has no buffer '{name}' to replace; register it first.");
        }

        buffer?.DetachFromScope();
        _buffers[name] = buffer;
        return previous;
    }

    /// <summary>
    /// The parameter at <paramref name="target"/>, a name on this module or a dotted path through children such as
    /// <c>"blocks.0.attn.qkv.weight"</c> (torch.nn.Module.get_parameter). Null when registered as null.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    public Tensor? GetParameter(string target)
    {
        (Module owner, string name) = ResolveOwner(target);
        return owner._parameters.TryGetValue(name, out Tensor? t)
            ? t
            : throw new KeyNotFoundException($"'{target}' is not a parameter of {GetType().Name}.");
    }

    /// <summary>The buffer at <paramref name="target"/> (a name or dotted path; torch.nn.Module.get_buffer). Null when registered as null.</summary>
    /// <exception cref="KeyNotFoundException">No such buffer.</exception>
    public Tensor? GetBuffer(string target)
    {
        (Module owner, string name) = ResolveOwner(target);
        return owner._buffers.TryGetValue(name, out Tensor? t)
            ? t
            : throw new KeyNotFoundException($"'{target}' is not a buffer of {GetType().Name}.");
    }

    /// <summary>The descendant module at a dotted path such as <c>"blocks.3.attn"</c>; this module for "" (torch.nn.Module.get_submodule).</summary>
    /// <exception cref="KeyNotFoundException">No such module.</exception>
    public Module GetSubmodule(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Module current = this;
        if (target.Length == 0)
        {
            return current;
        }

        foreach (string part in target.Split('.'))
        {
            if (!current._modules.TryGetValue(part, out Module? child))
            {
                throw new KeyNotFoundException($"'{target}' is not a submodule of {GetType().Name}: {current.GetType().Name} has no child '{part}'.");
            }

            current = child;
        }

        return current;
    }

    /// <summary>
    /// Sets training mode on this module and every descendant (torch.nn.Module.train). Modules such as
    /// <see cref="Dropout"/> behave differently in training and evaluation.
    /// </summary>
    /// <returns>This module.</returns>
    public virtual Module Train(bool mode = true)
    {
        IsTraining = mode;
        foreach (Module child in _modules.Values)
        {
            child.Train(mode);
        }

        return this;
    }

    /// <summary>Sets evaluation mode on this module and every descendant (torch.nn.Module.eval); same as <c>Train(false)</c>.</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>
    /// Clears (default, <c>set_to_none=True</c>) or zeroes the gradients of all parameters (torch.nn.Module.zero_grad).
    /// </summary>
    public void ZeroGrad(bool setToNone = true) => GradientUtils.ZeroGrad(Parameters(), setToNone);

    /// <summary>Frees the parameters and buffers registered on this module and disposes its children.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A PyTorch-style summary of the module tree, e.g. <c>Sequential(\n  (0): Linear(in_features=4, …)\n)</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        AppendRepresentation(sb, 0);
        return sb.ToString();
    }

    /// <summary>The arguments shown between the parentheses of <see cref="ToString"/> (torch.nn.Module.extra_repr).</summary>
    protected virtual string ExtraRepresentation() => string.Empty;

    /// <summary>Frees owned tensors and children when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!disposing)
        {
            return;
        }

        foreach (Module child in _modules.Values)
        {
            child.Dispose();
        }

        foreach (Tensor? t in _parameters.Values)
        {
            t?.Dispose();
        }

        foreach (Tensor? t in _buffers.Values)
        {
            t?.Dispose();
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the module was disposed.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void PrepareParameter(string name, Tensor? parameter, bool requiresGrad)
    {
        if (parameter is null)
        {
            return;
        }

        if (!parameter.IsLeaf)
        {
            throw new ArgumentException(
                $"Parameter '{name}' is the result of an operation (not a leaf tensor), so it cannot be trained. " +
                "Register a leaf, e.g. result.Detach(), or a freshly created tensor.", nameof(parameter));
        }

        parameter.DetachFromScope();
        if (parameter.RequiresGrad != requiresGrad)
        {
            parameter.RequiresGrad = requiresGrad;
        }
    }

    private void ValidateNewName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("A parameter, buffer or module name must not be empty.", nameof(name));
        }

        if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Name '{name}' must not contain '.': dots separate the levels of state-dict keys.", nameof(name));
        }

        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _modules.ContainsKey(name))
        {
            throw new ArgumentException($"{GetType().Name} already has a parameter, buffer or module named '{name}'.", nameof(name));
        }
    }

    private (Module Owner, string Name) ResolveOwner(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        int dot = target.LastIndexOf('.');
        return dot < 0 ? (this, target) : (GetSubmodule(target[..dot]), target[(dot + 1)..]);
    }

    private void AppendRepresentation(StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraRepresentation());
        if (_modules.Count > 0)
        {
            string pad = new(' ', 2 * (indent + 1));
            sb.AppendLine();
            foreach (KeyValuePair<string, Module> child in _modules)
            {
                sb.Append(pad).Append('(').Append(child.Key).Append("): ");
                child.Value.AppendRepresentation(sb, indent + 1);
                sb.AppendLine();
            }

            sb.Append(' ', 2 * indent);
        }

        sb.Append(')');
    }
}
