using Spectre.Console;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>
/// A progress bar with ETA (Spectre.Console) when standard output is an interactive terminal; plain log lines
/// otherwise (CI, pipes), at most one every few seconds.
/// </summary>
internal static class ProgressDisplay
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, which reports (done, description) through the callback it is given.</summary>
    public static T Run<T>(string title, double total, Func<Action<double, string>, T> work)
    {
        if (!Interactive)
        {
            DateTime last = DateTime.MinValue;
            return work((done, text) =>
            {
                if ((DateTime.UtcNow - last).TotalSeconds < 5 && done < total) return;
                last = DateTime.UtcNow;
                Console.WriteLine($"{DateTime.Now:HH:mm:ss} {title} {100 * done / total,5:F1}%  {text}");
            });
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(title, maxValue: total);
                result = work((done, text) =>
                {
                    task.Value = Math.Min(done, total);
                    task.Description = $"{title} {Markup.Escape(text)}";
                });
                task.Value = total;
            });
        return result;
    }
}
