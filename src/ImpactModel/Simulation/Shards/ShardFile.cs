using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ImpactModel.Simulation.Shards;

/// <summary>A file the scenario is made of, kept in every shard so that a merge needs nothing else.</summary>
/// <param name="Path">Its path relative to the folder holding the scenario and every file it references ('/' between folders).</param>
/// <param name="Bytes">Its bytes, as the shard's run loaded them.</param>
public sealed record ShardInput(string Path, ImmutableArray<byte> Bytes);

/// <summary>
/// What a shard's results are of: which run (scenario hash, seed, replicates, persons, engine), which
/// shard and phase, and the shape of its integers. Two shards belong to one run when
/// <see cref="RunKey"/> agrees.
/// </summary>
public sealed record ShardHeader(
    string Scenario,
    string Strand,
    string ScenarioSha256,
    string EngineVersion,
    ulong Seed,
    int Replicates,
    long Persons,
    int Shard,
    int Shards,
    int Phase,
    int Phases,
    int Variants,
    int Rows,
    int Counters,
    ImmutableArray<ShardInput> Inputs)
{
    /// <summary>What every shard of one run shares, as one line: scenario hash, seed, replicates, persons, engine, shards, phases and shape.</summary>
    public string RunKey => FormattableString.Invariant(
        $"scenario {Scenario} sha256 {ScenarioSha256}, seed {Seed}, {Replicates} replicates of {Persons} persons, engine {EngineVersion}, {Shards} shards in {Phases} phases, tallies {Variants}x{Rows}x{Counters}");

    /// <summary>"shard 3/7 phase 1/2".</summary>
    public string Name => FormattableString.Invariant($"shard {Shard}/{Shards} phase {Phase}/{Phases}");

    /// <summary>The file name a shard's results have in a shared folder: <c>shard-0003-of-0007.phase-1.imshard</c>.</summary>
    public static string FileName(int shard, int shards, int phase) =>
        FormattableString.Invariant($"shard-{shard:D4}-of-{shards:D4}.phase-{phase}{Extension}");

    /// <summary>The extension of a shard's file.</summary>
    public const string Extension = ".imshard";
}

/// <summary>One replicate's results of one pass in a shard: its tallies and each model's accumulators (null for a model not in the pass).</summary>
public sealed record ShardBlock(int Replicate, int Pass, long[] Tally, long[]?[] Accumulators)
{
    /// <summary>
    /// Copies the integers into <paramref name="empty"/> (<see cref="ReplicateRun.EmptyResult"/>), checking
    /// that every shape agrees; a shard made by another engine or layout is refused with what differs.
    /// </summary>
    public PassResult Into(PassResult empty)
    {
        ArgumentNullException.ThrowIfNull(empty);
        if (empty.Pass != Pass)
            throw new ShardFormatException($"a block of pass {Pass} read as pass {empty.Pass}");
        Copy(Tally, empty.Tally.Values, "tallies");
        if (empty.Accumulators.Count != Accumulators.Length)
            throw new ShardFormatException($"accumulators of {Accumulators.Length} models, where the run has {empty.Accumulators.Count}");
        for (int m = 0; m < Accumulators.Length; m++)
        {
            Accumulators? into = empty.Accumulators[m];
            if ((into is null) != (Accumulators[m] is null))
                throw new ShardFormatException($"model {m}'s accumulators are {(into is null ? "absent from" : "present in")} the run's pass {Pass} but not the shard's");
            if (into is not null)
                Copy(Accumulators[m]!, into.Values, $"model {m}'s accumulators");
        }

        return empty;
    }

    private static void Copy(long[] from, Span<long> to, string what)
    {
        if (from.Length != to.Length)
            throw new ShardFormatException($"{what} of {from.Length} integers, where the run has {to.Length}");
        from.CopyTo(to);
    }

    /// <summary>The block of <paramref name="result"/> (copies its integers).</summary>
    public static ShardBlock Of(int replicate, PassResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ShardBlock(replicate, result.Pass, result.Tally.Values.ToArray(), [.. result.Accumulators.Select(a => a?.Values.ToArray())]);
    }
}

/// <summary>A shard's bytes that are not a shard, are damaged, or do not fit the run.</summary>
public sealed class ShardFormatException : Exception
{
    public ShardFormatException()
    {
    }

    public ShardFormatException(string message)
        : base(message)
    {
    }

    public ShardFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// A shard's results as bytes (a file in a shared folder, or a row in the results store): a magic
/// word and version, the header (<see cref="ShardHeader"/>, with the scenario's files), one block per
/// replicate (tallies and accumulators as little-endian 64-bit integers), an index of the blocks, and
/// a footer with the index's offset and the SHA-256 of every byte before it, so a torn or damaged
/// shard is refused rather than merged.
/// </summary>
public static class ShardFormat
{
    private static readonly byte[] Magic = "IMSHARD1"u8.ToArray();
    private const int Version = 1;
    private const int FooterBytes = sizeof(long) + 32;

    /// <summary>Writes a shard: <paramref name="header"/>, then each block, in replicate order.</summary>
    public static void Write(Stream stream, ShardHeader header, IEnumerable<ShardBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(blocks);
        RequireLittleEndian();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var hashing = new HashingStream(stream, hash);
        using var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        WriteHeader(writer, header);
        var index = new List<(int Replicate, long Offset)>();
        foreach (ShardBlock block in blocks)
        {
            writer.Flush();
            index.Add((block.Replicate, hashing.Written));
            writer.Write(block.Replicate);
            writer.Write(block.Pass);
            WriteLongs(writer, block.Tally);
            writer.Write(block.Accumulators.Length);
            foreach (long[]? values in block.Accumulators)
                WriteLongs(writer, values);
        }

        writer.Flush();
        long indexOffset = hashing.Written;
        writer.Write(index.Count);
        foreach ((int replicate, long offset) in index)
        {
            writer.Write(replicate);
            writer.Write(offset);
        }

        writer.Flush();
        // The footer is not hashed: the offset of the index, then the hash of everything before.
        Span<byte> footer = stackalloc byte[FooterBytes];
        BitConverter.TryWriteBytes(footer, indexOffset);
        hash.GetHashAndReset(footer[sizeof(long)..]);
        stream.Write(footer);
    }

    /// <summary>Reads the header of a shard (seekable or not), or throws <see cref="ShardFormatException"/> naming what is wrong.</summary>
    public static ShardHeader ReadHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        return Guard(() =>
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                throw new ShardFormatException("not a shard's results (no IMSHARD1 at its start)");
            int version = reader.ReadInt32();
            if (version != Version)
                throw new ShardFormatException($"a shard of format {version}, where this engine reads format {Version}");
            return ReadHeaderFields(reader);
        });
    }

    /// <summary>
    /// Reads every byte of a seekable shard and checks its footer's hash: false (and why) for a torn,
    /// truncated or damaged shard.
    /// </summary>
    public static bool Verify(Stream stream, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(stream);
        problem = null;
        if (stream.Length < Magic.Length + FooterBytes)
        {
            problem = $"{stream.Length} bytes: too short to be a shard's results (torn or empty)";
            return false;
        }

        long body = stream.Length - FooterBytes;
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 16];
        for (long left = body; left > 0;)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
                break;
            hash.AppendData(buffer, 0, read);
            left -= read;
        }

        Span<byte> footer = stackalloc byte[FooterBytes];
        stream.ReadExactly(footer);
        Span<byte> actual = stackalloc byte[32];
        hash.GetHashAndReset(actual);
        if (!actual.SequenceEqual(footer[sizeof(long)..]))
        {
            problem = "its checksum does not match its contents (torn or damaged)";
            return false;
        }

        return true;
    }

    /// <summary>The blocks of a seekable, verified shard by replicate: read one with <see cref="ShardIndex.Read"/>.</summary>
    public static ShardIndex Index(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        RequireLittleEndian();
        return Guard(() =>
        {
            var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            stream.Position = stream.Length - FooterBytes;
            long indexOffset = reader.ReadInt64();
            if (indexOffset < 0 || indexOffset > stream.Length - FooterBytes)
                throw new ShardFormatException("its index lies outside it");
            stream.Position = indexOffset;
            int count = reader.ReadInt32();
            var offsets = new Dictionary<int, long>(count);
            for (int i = 0; i < count; i++)
                offsets[reader.ReadInt32()] = reader.ReadInt64();
            return new ShardIndex(stream, reader, offsets);
        });
    }

    internal static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or DecoderFallbackException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new ShardFormatException($"cannot be read as a shard's results ({e.Message})", e);
        }
    }

    private static void WriteHeader(BinaryWriter writer, ShardHeader h)
    {
        writer.Write(h.Scenario);
        writer.Write(h.Strand);
        writer.Write(h.ScenarioSha256);
        writer.Write(h.EngineVersion);
        writer.Write(h.Seed);
        writer.Write(h.Replicates);
        writer.Write(h.Persons);
        writer.Write(h.Shard);
        writer.Write(h.Shards);
        writer.Write(h.Phase);
        writer.Write(h.Phases);
        writer.Write(h.Variants);
        writer.Write(h.Rows);
        writer.Write(h.Counters);
        writer.Write(h.Inputs.Length);
        foreach (ShardInput input in h.Inputs)
        {
            writer.Write(input.Path);
            writer.Write(input.Bytes.Length);
            writer.Write(input.Bytes.AsSpan());
        }
    }

    private static ShardHeader ReadHeaderFields(BinaryReader reader)
    {
        string scenario = reader.ReadString(), strand = reader.ReadString(), sha = reader.ReadString(), engine = reader.ReadString();
        ulong seed = reader.ReadUInt64();
        int replicates = reader.ReadInt32();
        long persons = reader.ReadInt64();
        int shard = reader.ReadInt32(), shards = reader.ReadInt32(), phase = reader.ReadInt32(), phases = reader.ReadInt32();
        int variants = reader.ReadInt32(), rows = reader.ReadInt32(), counters = reader.ReadInt32();
        int inputs = reader.ReadInt32();
        if (inputs is < 0 or > 10_000)
            throw new ShardFormatException($"a header that names {inputs} input files");
        var files = ImmutableArray.CreateBuilder<ShardInput>(inputs);
        for (int i = 0; i < inputs; i++)
        {
            string path = reader.ReadString();
            int length = reader.ReadInt32();
            byte[] bytes = reader.ReadBytes(length);
            if (length < 0 || bytes.Length != length)
                throw new ShardFormatException("an input file cut short");
            files.Add(new ShardInput(path, ImmutableArray.Create(bytes)));
        }

        return new ShardHeader(scenario, strand, sha, engine, seed, replicates, persons, shard, shards, phase, phases, variants, rows, counters,
            files.MoveToImmutable());
    }

    private static void WriteLongs(BinaryWriter writer, long[]? values)
    {
        if (values is null)
        {
            writer.Write(-1);
            return;
        }

        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    internal static long[]? ReadLongs(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length == -1)
            return null;
        if (length < 0 || (long)length * sizeof(long) > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new ShardFormatException($"a block of {length} integers that runs past the end");
        var values = new long[length];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("shards are written as little-endian integers");
    }

    /// <summary>Passes what is written to <c>inner</c>, counting and hashing it.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }
}

/// <summary>Where each replicate's block is in a shard, to read any of them in any order.</summary>
public sealed class ShardIndex
{
    private readonly Stream _stream;
    private readonly BinaryReader _reader;
    private readonly Dictionary<int, long> _offsets;

    internal ShardIndex(Stream stream, BinaryReader reader, Dictionary<int, long> offsets)
    {
        _stream = stream;
        _reader = reader;
        _offsets = offsets;
    }

    /// <summary>The replicates the shard holds.</summary>
    public IReadOnlyCollection<int> Replicates => _offsets.Keys;

    /// <summary>Replicate <paramref name="replicate"/>'s block.</summary>
    public ShardBlock Read(int replicate)
    {
        if (!_offsets.TryGetValue(replicate, out long offset))
            throw new ShardFormatException($"no block for replicate {replicate}");
        return ShardFormat.Guard(() =>
        {
            _stream.Position = offset;
            int stored = _reader.ReadInt32(), pass = _reader.ReadInt32();
            if (stored != replicate)
                throw new ShardFormatException($"the block indexed as replicate {replicate} is of replicate {stored}");
            long[] tally = ShardFormat.ReadLongs(_reader) ?? throw new ShardFormatException("a block without tallies");
            int models = _reader.ReadInt32();
            if (models is < 0 or > 1_000)
                throw new ShardFormatException($"a block of {models} models");
            var accumulators = new long[]?[models];
            for (int m = 0; m < models; m++)
                accumulators[m] = ShardFormat.ReadLongs(_reader);
            return new ShardBlock(replicate, pass, tally, accumulators);
        });
    }
}
