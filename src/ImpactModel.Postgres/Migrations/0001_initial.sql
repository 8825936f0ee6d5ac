-- 0001: scenarios, runs, their shards and tallies, results and the run folder's other files.
-- Applied once by SchemaMigrator under an advisory lock, in one transaction with its journal row.
-- The schema itself is made by the migrator before this script runs (it holds the journal too).

-- A scenario as it was run: its YAML and every file it references, found again by the SHA-256 over
-- them all (manifest.json's scenario_sha256), so a scenario run twice is stored once.
create table impact.scenarios (
    id          bigserial primary key,
    name        text not null,
    strand      text not null,
    sha256      text not null unique,
    text        text not null,
    -- Every referenced file, packed by the caller (a zip or its own packing); null when none was kept.
    inputs      bytea,
    created_at  timestamptz not null default now()
);

create table impact.runs (
    id                   bigserial primary key,
    scenario_id          bigint not null references impact.scenarios (id),
    -- The run's seed is an unsigned 64-bit integer: numeric(20,0) holds every value bigint cannot.
    seed                 numeric(20, 0) not null check (seed >= 0 and seed <= 18446744073709551615),
    replicates           int not null check (replicates >= 1),
    persons              bigint not null check (persons >= 0),
    declared_population  bigint,
    engine_version       text not null,
    shards               int not null default 1 check (shards >= 1),
    phases               int not null default 1 check (phases >= 1),
    status               text not null default 'queued'
                         check (status in ('queued', 'running', 'merging', 'done', 'failed')),
    error                text,
    submitted_by         text,
    submitted_at         timestamptz not null default now(),
    started_at           timestamptz,
    finished_at          timestamptz,
    elapsed_seconds      double precision,
    -- One line for `impact runs`.
    headline             text,
    -- Anything else the caller keeps about the run (threads, variants, options…).
    settings             jsonb
);

-- "The same result": the same scenario (by its SHA-256, through scenario_id), seed, replicates,
-- persons and engine version give byte-identical results.csv.
create index runs_same_result on impact.runs (scenario_id, seed, replicates, persons, engine_version);

-- One row per (shard, phase) of a run, the unit a worker claims. Shard and phase are 1-based.
create table impact.shards (
    run_id       bigint not null references impact.runs (id) on delete cascade,
    shard        int not null check (shard >= 1),
    phase        int not null check (phase >= 1),
    status       text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
    attempts     int not null default 0,
    error        text,
    worker       text,
    lease_until  timestamptz,
    started_at   timestamptz,
    finished_at  timestamptz,
    primary key (run_id, shard, phase)
);

-- ClaimShard looks only at shards still to run (queued, or running with a lease that may have expired).
create index shards_to_run on impact.shards (run_id, phase, shard) where status in ('queued', 'running');

-- The integer tallies of a finished shard: an opaque payload the engine serialises, and its SHA-256
-- as the engine gave it. Written once; a second write must carry the same SHA-256.
create table impact.shard_tallies (
    run_id      bigint not null references impact.runs (id) on delete cascade,
    shard       int not null check (shard >= 1),
    phase       int not null check (phase >= 1),
    payload     bytea not null,
    sha256      text not null,
    written_at  timestamptz not null default now(),
    primary key (run_id, shard, phase)
);

-- results.csv, one row per line in the file's order (ordinal from 0). An undefined value is null
-- (an empty cell in the file), never NaN.
create table impact.results (
    run_id      bigint not null references impact.runs (id) on delete cascade,
    ordinal     int not null,
    scenario    text not null,
    strand      text not null,
    variant     text not null,
    grp         text not null,
    metric      text not null,
    mean        double precision,
    ci_low      double precision,
    ci_high     double precision,
    replicates  int not null,
    mc_se       double precision,
    events      bigint,
    primary key (run_id, ordinal)
);

-- The run folder's other files (manifest.json, replicates.csv, parameters.csv, …) by relative name.
create table impact.run_files (
    run_id   bigint not null references impact.runs (id) on delete cascade,
    name     text not null,
    content  bytea not null,
    primary key (run_id, name)
);
