using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ImpactModel.Simulation;
using Microsoft.Win32.SafeHandles;

namespace ImpactModel.Worker.Output;

/// <summary>
/// Per-replicate values spilled to a file as each replicate completes (<c>replicates.bin</c> in the
/// run folder): one record a replicate, in replicate order, each value an IEEE 754 double,
/// little-endian. Memory stays bounded however many replicates a run has; readers take the values
/// back in blocks by positional reads.
/// </summary>
public sealed class FileReplicateStore : IReplicateStore
{
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;
    private byte[] _bytes = [];
    private readonly Lock _gate = new();
    private volatile bool _flushed = true;

    /// <summary>Creates (or replaces) the spill file at <paramref name="path"/>.</summary>
    public FileReplicateStore(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1 << 16);
        _handle = _stream.SafeFileHandle;
    }

    /// <summary>The spill file.</summary>
    public string Path { get; }

    public int Replicates { get; private set; }

    public int RecordLength { get; private set; }

    public void Append(ReadOnlySpan<double> record)
    {
        if (Replicates > 0 && record.Length != RecordLength)
            throw new ArgumentException($"a record of {record.Length} values after records of {RecordLength}", nameof(record));
        RecordLength = record.Length;
        int size = record.Length * sizeof(double);
        if (_bytes.Length < size)
            _bytes = new byte[size];
        for (int i = 0; i < record.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(_bytes.AsSpan(i * sizeof(double)), record[i]);
        _stream.Write(_bytes, 0, size);
        _flushed = false;
        Replicates++;
    }

    public void ReadColumns(int first, int count, Span<double> destination)
    {
        ReplicateStores.CheckColumns(this, first, count, destination.Length);
        Flush();
        var bytes = new byte[count * sizeof(double)];
        long recordBytes = (long)RecordLength * sizeof(double);
        for (int r = 0; r < Replicates; r++)
        {
            ReadExactly(bytes, r * recordBytes + (long)first * sizeof(double));
            for (int i = 0; i < count; i++)
                destination[i * Replicates + r] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
        }
    }

    public void ReadRecord(int replicate, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(replicate, Replicates);
        Flush();
        var bytes = new byte[RecordLength * sizeof(double)];
        ReadExactly(bytes, (long)replicate * RecordLength * sizeof(double));
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination);
        else
        {
            for (int i = 0; i < RecordLength; i++)
                destination[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Writes what is buffered before a read; readers may come from several threads once appending is over.</summary>
    private void Flush()
    {
        if (_flushed)
            return;
        lock (_gate)
        {
            if (_flushed)
                return;
            _stream.Flush();
            _flushed = true;
        }
    }

    private void ReadExactly(byte[] buffer, long offset)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = RandomAccess.Read(_handle, buffer.AsSpan(read), offset + read);
            if (n == 0)
                throw new EndOfStreamException($"{Path}: ends at {offset + read} bytes, inside a record");
            read += n;
        }
    }
}
