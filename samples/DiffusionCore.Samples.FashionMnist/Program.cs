using DiffusionCore.Samples.Cli;
using DiffusionCore.Samples.FashionMnist;
using DiffusionCore.Samples.FashionMnist.Distributed;
using Microsoft.Extensions.Logging;

RankRole.SilenceOtherRanks();   // data-parallel: rank 0 alone logs

// Log lines go to standard output (warnings and errors to standard error) through Microsoft.Extensions.Logging's
// console provider; progress bars are Spectre.Console's (ProgressDisplay). Disposing the factory flushes the log.
using ILoggerFactory loggers = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(LogLevel.Information)
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss ";
    })
    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Warning));
return CommandLineApp.Run(JobCommandLine.Create(new FashionMnistJob(loggers).Run), args);
