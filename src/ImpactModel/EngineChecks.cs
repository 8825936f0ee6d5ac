using System.Diagnostics.CodeAnalysis;

namespace ImpactModel;

/// <summary>
/// Whether the engine checks what its hot loops take on trust: that a counter index lies inside
/// its strand's counters, and that an evaluator reads only the person attributes its model
/// declares. On in debug builds, and wherever the switch <c>ImpactModel.EngineChecks</c> is set
/// before the engine is first used (the test suite sets it); off otherwise, where the JIT removes
/// the checks because the flag is a constant once read.
/// </summary>
public static class EngineChecks
{
    /// <summary>The <see cref="AppContext"/> switch that turns the checks on in a release build.</summary>
    public const string Switch = "ImpactModel.EngineChecks";

    /// <summary>True when the checks run.</summary>
    public static readonly bool Enabled = IsDebugBuild || (AppContext.TryGetSwitch(Switch, out bool on) && on);

#if DEBUG
    private const bool IsDebugBuild = true;
#else
    private const bool IsDebugBuild = false;
#endif

    /// <summary>Throws the exception of a failed check: a bug in a strand, never a user's mistake.</summary>
    [DoesNotReturn]
    public static void Fail(string message) => throw new InvalidOperationException("engine check failed: " + message);
}
