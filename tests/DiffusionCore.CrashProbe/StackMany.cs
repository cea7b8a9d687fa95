using DiffusionCore.Torch;

namespace DiffusionCore.CrashProbe;

/// <summary>
/// Issue 16, item 3: <see cref="Tensor.Stack"/> of 1.5 million tensors on the main thread (whose stack is 8 MiB by
/// default). The handles of a large input list must not be gathered on the stack.
/// </summary>
internal static class StackMany
{
    public static string Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_500_000;
        using var scope = new TensorScope();
        Tensor one = Tensor.Ones([1]);
        var parts = new Tensor[count];
        for (int i = 0; i < count; i++) parts[i] = one.Alias();
        Tensor stacked = Tensor.Stack(parts);
        Tensor joined = Tensor.Cat(parts);
        return $"ok: stacked [{string.Join(", ", stacked.Shape)}], concatenated [{string.Join(", ", joined.Shape)}], sum {joined.Sum().ToDouble()}";
    }
}
