using DiffusionCore.CrashProbe;

// Usage: DiffusionCore.CrashProbe <scenario> [arguments]. Exit 0 with a summary line on stdout when the scenario ends
// the way the library promises (results or typed exceptions); 2 with the exception on stderr when a managed exception
// escapes; a native crash shows as the signal's exit code (134 abort, 135 SIGBUS, 139 SIGSEGV).
if (args.Length == 0 || !Scenarios.All.TryGetValue(args[0], out Func<string[], string>? scenario))
{
    Console.Error.WriteLine($"usage: DiffusionCore.CrashProbe <{string.Join("|", Scenarios.All.Keys)}> [arguments]");
    return 64;
}

try
{
    Console.WriteLine(scenario(args[1..]));
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 2;
}
