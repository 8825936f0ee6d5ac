namespace ImpactModel.Simulation;

/// <summary>
/// Which parameters and settings the models read while a replicate is compiled, and whether each
/// was read for a variant (so a variant's override of it acts) or once for everyone. Recorded by
/// the strand kit as it draws (<c>ReplicateDraws</c>) and by linkages as they compile, so that an
/// override nothing reads is reported from what the models actually did, not from a list kept by
/// hand. Compiling is single-threaded: no locking.
/// </summary>
public sealed class ParameterUse
{
    private readonly HashSet<string> _perVariant = new(StringComparer.Ordinal);
    private readonly HashSet<string> _once = new(StringComparer.Ordinal);
    private readonly HashSet<string> _perPerson = new(StringComparer.Ordinal);

    /// <summary>Records that the parameter or setting at <paramref name="path"/> was read, for a variant or once for everyone.</summary>
    public void Read(string path, bool perVariant)
    {
        ArgumentNullException.ThrowIfNull(path);
        (perVariant ? _perVariant : _once).Add(path);
    }

    /// <summary>
    /// Records that the parameter at <paramref name="path"/> is a spread each person draws from (not
    /// one value per replicate): it is described as such, not listed among the replicate's draws.
    /// </summary>
    public void ReadPerPerson(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _perPerson.Add(path);
    }

    /// <summary>True when a model read <paramref name="path"/> as a spread each person draws from.</summary>
    public bool IsPerPerson(string path) => _perPerson.Contains(path);

    /// <summary>True when some model read <paramref name="path"/> for a variant (an override of it acts).</summary>
    public bool ReadPerVariant(string path) => _perVariant.Contains(path);

    /// <summary>True when some model read <paramref name="path"/> at all.</summary>
    public bool WasRead(string path) => _perVariant.Contains(path) || _once.Contains(path);
}
