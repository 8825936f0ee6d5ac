namespace ImpactModel.Scenarios.Reading;

/// <summary>What a parameter is besides its value and range, as the reader of its section knows it.</summary>
/// <param name="Choice">A choice of the proposal or of the linker (a threshold, the linker's m and u): not spread by grade.</param>
/// <param name="FixedReason">Held fixed by an enclosing mapping's <c>fixed: true</c>, with its reason.</param>
/// <param name="DrawPath">The path whose random counter the draw uses (a by-group base's, for a group's value).</param>
public readonly record struct ParameterTraits(bool Choice = false, string? FixedReason = null, string? DrawPath = null)
{
    /// <summary>A choice of the proposal or the linker.</summary>
    public static ParameterTraits Chosen => new(Choice: true);
}
