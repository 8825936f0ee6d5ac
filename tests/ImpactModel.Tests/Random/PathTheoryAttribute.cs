using ImpactModel.Random;

namespace ImpactModel.Tests.Random;

/// <summary>
/// A theory that runs only where the CPU has the instruction set of a Philox path, and otherwise
/// is reported as skipped with the reason (never silently passed).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PathTheoryAttribute : TheoryAttribute
{
    public PathTheoryAttribute(PhiloxPath path)
    {
        Path = path;
        if (!Philox.IsSupported(path))
            Skip = $"skipped: this CPU lacks the instruction set of the {path} Philox path";
    }

    public PhiloxPath Path { get; }
}
