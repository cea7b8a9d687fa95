using System.Diagnostics;
using DiffusionCore.Torch;
using DiffusionCore.Torch.Nn;
using DiffusionCore.Torch.Optim;

namespace DiffusionCore.CrashProbe;

/// <summary>
/// Issue 16, item 2: tensors disposed on another thread while an operation that passes their raw native pointers
/// (Cat/Stack, Einsum, optional bias/weight/mask/gradient arguments, Autograd.Grad, gradient utilities, optimizer steps)
/// runs. Each round, the main thread starts the operation and a second thread disposes the operation's inputs at the
/// same moment (released together by a barrier), after a delay that cycles over the rounds so that the disposal lands
/// at every point of the operation: before, while the pointers are gathered, and during the native call. The library
/// must answer with ObjectDisposedException or a result, never with freed memory.
/// </summary>
internal static class DisposeRace
{
    private const int Parts = 1024;

    private sealed record Round(Action Operation, Tensor[] Victims);

    public static string Run(string[] args)
    {
        TimeSpan duration = Scenarios.Duration(args, 3000);
        using var start = new Barrier(2);
        using var end = new Barrier(2);
        Round? current = null;
        bool stop = false;
        int delay = 0;
        var disposer = new Thread(() =>
        {
            while (true)
            {
                start.SignalAndWait();
                if (Volatile.Read(ref stop)) return;
                Thread.SpinWait(Volatile.Read(ref delay));
                Tensor[] victims = current!.Victims;
                for (int i = victims.Length - 1; i >= 0; i--) victims[i].Dispose();
                end.SignalAndWait();
            }
        });
        disposer.Start();

        int rounds = 0, completed = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var scope = new TensorScope();
            current = Build(rounds);
            Volatile.Write(ref delay, rounds / 8 % 64 * 4);
            start.SignalAndWait();
            try
            {
                current.Operation();
                completed++;
            }
            catch (ObjectDisposedException)
            {
                refused++;
            }

            end.SignalAndWait();
            rounds++;
        }

        Volatile.Write(ref stop, true);
        start.SignalAndWait();
        disposer.Join();
        return $"ok: {rounds} rounds, {completed} completed, {refused} refused with ObjectDisposedException";
    }

    private static Round Build(int round)
    {
        switch (round % 8)
        {
            case 0:
            case 1:
            {
                Tensor[] parts = Enumerable.Range(0, Parts).Select(_ => Tensor.Ones([16])).ToArray();
                return round % 8 == 0 ? new Round(() => Tensor.Cat(parts), parts) : new Round(() => Tensor.Stack(parts), parts);
            }

            case 2:
            {
                Tensor[] ops = Enumerable.Range(0, 24).Select(_ => Tensor.Ones([4])).ToArray();
                string equation = string.Join(",", Enumerable.Repeat("i", ops.Length)) + "->i";
                return new Round(() => Tensor.Einsum(equation, ops), ops);
            }

            case 3:
            {
                Tensor x = Tensor.Ones([8, 32]), w = Tensor.Ones([32, 32]), b = Tensor.Ones([32]);
                Tensor gamma = Tensor.Ones([32]), beta = Tensor.Zeros([32]);
                return new Round(() => Functional.GroupNorm(Functional.Linear(x, w, b), 4, gamma, beta), [b, gamma, beta]);
            }

            case 4:
            {
                Tensor a = Tensor.Zeros([64]), z = Tensor.Ones([64]), weight = Tensor.Full([64], 0.5);
                Tensor q = Tensor.Ones([1, 2, 8, 4]), mask = Tensor.Zeros([8, 8]);
                return new Round(() =>
                {
                    a.Lerp(z, weight);
                    Functional.ScaledDotProductAttention(q, q, q, mask);
                }, [weight, mask]);
            }

            case 5:
            {
                Tensor[] leaves = Enumerable.Range(0, 32).Select(_ => Tensor.Ones([8]).RequiresGradInPlace()).ToArray();
                Tensor sum = Tensor.Stack(leaves).Sum();
                Tensor gradient = Tensor.Ones([]);
                return new Round(() => Autograd.Grad([sum], leaves, [gradient]), [gradient, .. leaves]);
            }

            case 6:
            {
                Tensor leaf = Tensor.Ones([64]).RequiresGradInPlace();
                Tensor y = leaf * 2;
                Tensor gradient = Tensor.Ones([64]);
                return new Round(() => y.Backward(gradient), [gradient]);
            }

            default:
            {
                Tensor[] parameters = Enumerable.Range(0, 32).Select(_ => Tensor.Ones([8]).RequiresGradInPlace()).ToArray();
                Tensor.Stack(parameters).Sum().Backward();
                var adam = new Adam(parameters);
                return new Round(() =>
                {
                    try
                    {
                        GradientUtils.ClipGradNorm(parameters, 1.0);
                        adam.Step();
                    }
                    finally
                    {
                        adam.Dispose();
                    }
                }, parameters);
            }
        }
    }
}
