using System.Runtime.CompilerServices;

namespace ImpactModel.Tests.Support;

/// <summary>
/// The whole suite runs with the engine's checks on (<see cref="EngineChecks"/>): counter indices
/// inside their strand's slice, and evaluators reading only the attributes their model declares.
/// Set before any engine type is used, since the flag is read once.
/// </summary>
internal static class EngineChecksOn
{
    [ModuleInitializer]
    internal static void TurnOn() => AppContext.SetSwitch(EngineChecks.Switch, isEnabled: true);
}
