namespace DiffusionCore.Torch.Nn;

public abstract partial class Module
{
    /// <summary>
    /// Parameters with their full dotted names, this module's first, then each child's in registration order
    /// (torch.nn.Module.named_parameters). A tensor registered in several places (tied weights) is listed once, under
    /// its first name; null registrations are skipped.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(bool recurse = true) =>
        NamedTensors(recurse, static m => m._parameters);

    /// <summary>The distinct parameters (torch.nn.Module.parameters); what an optimizer is given.</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(static kv => kv.Value);

    /// <summary>Buffers with their full dotted names, persistent or not (torch.nn.Module.named_buffers).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(bool recurse = true) =>
        NamedTensors(recurse, static m => m._buffers);

    /// <summary>The distinct buffers (torch.nn.Module.buffers).</summary>
    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse).Select(static kv => kv.Value);

    /// <summary>The direct children with their names, in registration order (torch.nn.Module.named_children).</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _modules.Select(static kv => kv);

    /// <summary>The direct children in registration order (torch.nn.Module.children).</summary>
    public IEnumerable<Module> Children() => _modules.Values;

    /// <summary>
    /// This module (named "") and every descendant, depth first, with dotted names (torch.nn.Module.named_modules).
    /// A module reachable along several paths is listed once.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules()
    {
        foreach ((string prefix, Module module) in WalkModules(string.Empty, new HashSet<Module>(ReferenceEqualityComparer.Instance)))
        {
            yield return new(prefix, module);
        }
    }

    /// <summary>This module and every descendant (torch.nn.Module.modules).</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(static kv => kv.Value);

    /// <summary>Total number of elements of the distinct parameters, optionally only those that require gradients.</summary>
    public long NumParameters(bool trainableOnly = false)
    {
        long n = 0;
        foreach (Tensor p in Parameters())
        {
            if (!trainableOnly || p.RequiresGrad)
            {
                n += p.NumElements;
            }
        }

        return n;
    }

    /// <summary>Depth-first walk yielding each module with its key prefix; shared modules appear once only when deduplicating.</summary>
    private IEnumerable<(string Prefix, Module Module)> WalkModules(string prefix, HashSet<Module>? deduplicate)
    {
        if (deduplicate is not null && !deduplicate.Add(this))
        {
            yield break;
        }

        yield return (prefix, this);
        foreach (KeyValuePair<string, Module> child in _modules)
        {
            foreach ((string Prefix, Module Module) item in child.Value.WalkModules(JoinKey(prefix, child.Key), deduplicate))
            {
                yield return item;
            }
        }
    }

    private IEnumerable<KeyValuePair<string, Tensor>> NamedTensors(bool recurse, Func<Module, OrderedDictionary<string, Tensor?>> select)
    {
        var seenTensors = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        IEnumerable<(string Prefix, Module Module)> modules = recurse
            ? WalkModules(string.Empty, new HashSet<Module>(ReferenceEqualityComparer.Instance))
            : [(string.Empty, this)];
        foreach ((string prefix, Module module) in modules)
        {
            foreach (KeyValuePair<string, Tensor?> kv in select(module))
            {
                if (kv.Value is null || !seenTensors.Add(kv.Value))
                {
                    continue;
                }

                yield return new(JoinKey(prefix, kv.Key), kv.Value);
            }
        }
    }

    private static string JoinKey(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
