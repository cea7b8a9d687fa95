using Microsoft.Extensions.Logging;

namespace DiffusionCore.Distributed.Worker;

/// <summary>Prints every log message as a "log=…" line, so a test can see which rank logged.</summary>
internal sealed class LineLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Report.Line("log", formatter(state, exception).ReplaceLineEndings(" "));
}
