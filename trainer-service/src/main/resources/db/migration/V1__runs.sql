-- The trainer's durable run queue. A row is inserted (idempotently) when datasets.ready arrives;
-- workers claim rows with a lease that their heartbeats extend; an expired lease makes the run
-- claimable again (crash of a trainer), with attempt + 1.
CREATE TABLE runs (
    run_id        TEXT PRIMARY KEY,
    experiment_id TEXT NOT NULL,
    ready_json    TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELLED')),
    attempt       INT NOT NULL DEFAULT 0,
    owner         TEXT,
    lease_until   TIMESTAMPTZ,
    step          INT NOT NULL DEFAULT 0,
    error         TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX runs_claimable ON runs (state, created_at);
