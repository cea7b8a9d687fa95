using DiffusionCore.Sampling;
using Microsoft.Extensions.Options;

namespace DiffusionCore.Hosting;

/// <summary>Validates sampler options through their own <see cref="SamplerOptions.Validate"/>, as an <see cref="IValidateOptions{TOptions}"/>.</summary>
internal sealed class SamplerOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : SamplerOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"{typeof(TOptions).Name}: {ex.Message}");
        }
    }
}

/// <summary>
/// Hands out one given options instance (sampler options are immutable records, so they cannot be configured in place)
/// after running the registered validators, so that <c>IOptions</c>, <c>IOptionsMonitor</c> and validation on start all
/// see it.
/// </summary>
internal sealed class InstanceOptionsFactory<TOptions>(TOptions instance, IEnumerable<IValidateOptions<TOptions>> validators) : IOptionsFactory<TOptions>
    where TOptions : class
{
    public TOptions Create(string name)
    {
        var failures = new List<string>();
        foreach (IValidateOptions<TOptions> validator in validators)
        {
            ValidateOptionsResult result = validator.Validate(name, instance);
            if (result.Failed) failures.AddRange(result.Failures);
        }

        return failures.Count == 0 ? instance : throw new OptionsValidationException(name, typeof(TOptions), failures);
    }
}
