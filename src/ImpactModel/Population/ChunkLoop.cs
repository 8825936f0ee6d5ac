namespace ImpactModel.Population;

/// <summary>How a <see cref="ChunkLoop"/> cuts and shares its work. None of it changes a result.</summary>
/// <param name="Threads">Worker threads; 0: every core.</param>
/// <param name="ChunkSize">Persons per chunk.</param>
/// <param name="ChunksPerItem">Consecutive chunks a thread takes at once: enough to amortise taking an item, few enough to balance threads.</param>
public readonly record struct ChunkLoopOptions(int Threads = 0, int ChunkSize = PersonChunk.DefaultCapacity, int ChunksPerItem = 8);

/// <summary>What a task does with each chunk of persons it generates, adding into its own state.</summary>
/// <typeparam name="TState">The thread's own state (its tallies and scratch buffers).</typeparam>
public delegate void ChunkBody<in TState>(TState state, PersonChunk persons);

/// <summary>
/// The one parallel loop over persons: persons [first, first + count) are cut into chunks of a
/// fixed size, chunks into work items that workers take as they come; each worker (one per thread)
/// generates its chunk into its own <see cref="PersonChunk"/> and adds into its own state (no lock,
/// nothing shared). The caller sums the states at the end.
/// </summary>
/// <remarks>
/// Chunk boundaries depend on the chunk size alone and every person is a pure function of (seed,
/// replicate, id), so what a state holds depends on which thread took which item, but the sum of
/// all states does not, provided they hold integers (counts, money in whole pence): integer sums
/// are the same in any order. Floating point starts after the sum. This is what makes runs,
/// descriptions and linkage checks identical for any thread count or chunk size (STYLE.md,
/// "Per-thread tallies, merged in a fixed order"; here, integers make the order irrelevant).
/// </remarks>
public static class ChunkLoop
{
    /// <summary>
    /// Runs <paramref name="body"/> over every chunk of persons [first, first + count) and returns
    /// the states of the tasks that took part, in no particular order (sum them: integers only).
    /// </summary>
    /// <param name="population">The compiled population the persons come from.</param>
    /// <param name="wanted">The optional attributes to generate (what the body reads).</param>
    /// <param name="first">The first person's id.</param>
    /// <param name="count">Persons to visit.</param>
    /// <param name="options">Threads, chunk size and chunks per work item.</param>
    /// <param name="createState">A new state for a task (called once per task that takes part).</param>
    /// <param name="body">Adds one generated chunk to a thread's state. Must not allocate.</param>
    /// <param name="reportPersons">Called after each work item with the persons it held (from any thread).</param>
    /// <param name="cancellationToken">Checked before each chunk.</param>
    public static IReadOnlyList<TState> Run<TState>(CompiledPopulation population, PersonAttributes wanted, long first, long count,
        ChunkLoopOptions options, Func<TState> createState, ChunkBody<TState> body, Action<long>? reportPersons = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(createState);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunksPerItem, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads);

        int chunkSize = options.ChunkSize, perItem = options.ChunksPerItem;
        long chunks = (count + chunkSize - 1) / chunkSize;
        long items = (chunks + perItem - 1) / perItem;
        int workers = (int)Math.Clamp(items, 1, options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
        var states = new TState[workers];
        long next = -1;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken stop = failed.Token;

        // Exactly one state per worker, whatever the scheduler does: a state may be large (a strand's
        // class counts are integers per cell), so its count must not grow with the work items.
        void Work(int worker)
        {
            try
            {
                var chunk = new PersonChunk(chunkSize);
                TState state = states[worker] = createState();
                Items(chunk, state);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed.Cancel(); // the other workers stop at their next chunk
                throw;
            }
        }

        void Items(PersonChunk chunk, TState state)
        {
            for (long item = Interlocked.Increment(ref next); item < items; item = Interlocked.Increment(ref next))
            {
                long firstChunk = item * perItem, lastChunk = Math.Min(chunks, firstChunk + perItem);
                long visited = 0;
                for (long c = firstChunk; c < lastChunk; c++)
                {
                    stop.ThrowIfCancellationRequested();
                    long start = first + c * chunkSize;
                    int n = (int)Math.Min(chunkSize, first + count - start);
                    population.Generate(chunk, start, n, wanted);
                    body(state, chunk);
                    visited += n;
                }

                reportPersons?.Invoke(visited);
            }
        }

        if (workers == 1)
        {
            Work(0);
            return states;
        }

        Task[] tasks = [.. Enumerable.Range(0, workers).Select(w => Task.Factory.StartNew(() => Work(w), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        try
        {
            Task.WaitAll(tasks, CancellationToken.None);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions.First(x => x is not OperationCanceledException)).Throw();
            throw;
        }

        return states;
    }
}
