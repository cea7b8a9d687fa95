using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Serialization;

namespace DiffusionCore.Merge;

/// <summary>
/// A state dict that <see cref="StateDictArithmetic"/> reads one tensor at a time: a safetensors file (opened only
/// while it is being read, memory-mapped), a module's parameters and persistent buffers, or tensors in memory.
/// </summary>
public abstract class StateDictSource
{
    private protected StateDictSource(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>How errors name this source: the file path, or the name given.</summary>
    public string Name { get; }

    /// <summary>A safetensors file (a checkpoint, an EMA snapshot, an exported state dict).</summary>
    /// <param name="path">The file; it is opened when read and closed right after.</param>
    public static StateDictSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new FileSource(Path.GetFullPath(path));
    }

    /// <summary>The state dict of a module (<see cref="Module.StateDict"/>: parameters and persistent buffers).</summary>
    /// <param name="module">The module; its tensors are read, never changed.</param>
    /// <param name="name">How errors name it (the module's type name when null).</param>
    public static StateDictSource FromModule(Module module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new ModuleSource(module, name ?? module.GetType().Name);
    }

    /// <summary>Tensors in memory by key (for example a <see cref="MergedStateDict"/>'s); the caller keeps them alive while they are read.</summary>
    /// <param name="name">How errors name it.</param>
    /// <param name="tensors">The tensors by key, in state-dict order.</param>
    /// <exception cref="ArgumentException">A key is given twice or a tensor is null.</exception>
    public static StateDictSource FromTensors(string name, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        KeyValuePair<string, Tensor>[] list = [.. tensors];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string key, Tensor t) in list)
        {
            ArgumentNullException.ThrowIfNull(t, $"{nameof(tensors)}[{key}]");
            if (!keys.Add(key)) throw new ArgumentException($"The state-dict key '{key}' is given twice.", nameof(tensors));
        }

        return new TensorsSource(name, list);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Opens the source for reading; the reader is disposed right after its tensors are read.</summary>
    internal abstract Reader Open();

    /// <summary>An open source: its entries and a way to read each tensor into the caller's <see cref="TensorScope"/>.</summary>
    internal abstract class Reader : IDisposable
    {
        public abstract IReadOnlyList<StateDictEntry> Entries { get; }

        public abstract Tensor Read(string key);

        public abstract void Dispose();
    }

    private sealed class FileSource(string path) : StateDictSource(path)
    {
        internal override Reader Open() => new FileReader(SafeTensorsFile.Open(Name));

        private sealed class FileReader(SafeTensorsFile file) : Reader
        {
            public override IReadOnlyList<StateDictEntry> Entries { get; } =
                [.. file.Entries.Select(static e => new StateDictEntry(e.Name, e.DType, e.Shape))];

            public override Tensor Read(string key) => file.Read(key);

            public override void Dispose() => file.Dispose();
        }
    }

    private sealed class ModuleSource(Module module, string name) : StateDictSource(name)
    {
        internal override Reader Open()
        {
            using var scope = new TensorScope();
            var tensors = new List<KeyValuePair<string, Tensor>>();
            foreach ((string key, Tensor t) in module.StateDict())
            {
                tensors.Add(KeyValuePair.Create(key, t.DetachFromScope()));
            }

            return new TensorsReader(tensors, owned: true);
        }
    }

    private sealed class TensorsSource(string name, KeyValuePair<string, Tensor>[] tensors) : StateDictSource(name)
    {
        internal override Reader Open() => new TensorsReader(tensors, owned: false);
    }

    private sealed class TensorsReader(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, bool owned) : Reader
    {
        private readonly Dictionary<string, Tensor> _byKey = tensors.ToDictionary(StringComparer.Ordinal);

        public override IReadOnlyList<StateDictEntry> Entries { get; } = [.. tensors.Select(static t => new StateDictEntry(t.Key, t.Value.DType, t.Value.Shape))];

        public override Tensor Read(string key) => _byKey[key].Alias();

        public override void Dispose()
        {
            if (!owned)
            {
                return;
            }

            foreach (Tensor t in _byKey.Values)
            {
                t.Dispose();
            }
        }
    }
}
