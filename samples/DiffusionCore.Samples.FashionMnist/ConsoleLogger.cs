using Microsoft.Extensions.Logging;

namespace DiffusionCore.Samples.FashionMnist;

/// <summary>Plain timestamped log lines on standard error (information and above).</summary>
internal sealed class ConsoleLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {logLevel.ToString().ToUpperInvariant()[..4]} {formatter(state, exception)}");
        if (exception is not null) Console.Error.WriteLine(exception.Message);
    }
}
