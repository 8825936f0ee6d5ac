namespace ImpactModel.Scenarios.Reading;

/// <summary>"Did you mean" suggestions by edit distance (Levenshtein), as compilers give them.</summary>
public static class Suggest
{
    /// <summary>The closest candidate within a third of the word's length (at least 2 edits), or null.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(word);
        string? best = null;
        int bestDistance = int.MaxValue;
        int limit = Math.Max(2, word.Length / 3);
        foreach (string candidate in candidates)
        {
            // The distance is at least the difference in length: a far longer word (a pasted line)
            // cannot be within the limit, and comparing it would cost its length times the candidate's.
            if (Math.Abs(word.Length - candidate.Length) > limit)
                continue;
            int d = Distance(word, candidate);
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        if (bestDistance <= limit)
            return best;
        // A shortened word ('survey' for 'survey-estimate') is worth suggesting too.
        return word.Length >= 3
            ? candidates.FirstOrDefault(c => c.StartsWith(word, StringComparison.Ordinal))
            : null;
    }

    /// <summary>"unknown X 'word'; known: a, b, c; did you mean 'b'?"</summary>
    public static string Unknown(string what, string word, IReadOnlyCollection<string> known)
    {
        string list = known.Count == 0 ? "none declared" : "known: " + string.Join(", ", known);
        string? closest = Closest(word, known);
        return closest is null
            ? $"unknown {what} '{word}'; {list}"
            : $"unknown {what} '{word}'; {list}; did you mean '{closest}'?";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
