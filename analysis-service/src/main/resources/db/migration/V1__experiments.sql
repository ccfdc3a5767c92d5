-- analysis owns the system of record: experiments, runs, metrics, verdicts.
CREATE TABLE experiments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    spec_json   TEXT NOT NULL,
    run_count   INT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX experiments_created ON experiments (created_at DESC);

CREATE TABLE runs (
    id                TEXT PRIMARY KEY,
    experiment_id     TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    cell_id           TEXT NOT NULL,
    cell_json         TEXT NOT NULL,
    seed              BIGINT NOT NULL,
    status            TEXT NOT NULL,
    attempt           INT NOT NULL DEFAULT 0,
    step              INT NOT NULL DEFAULT 0,
    total_steps       INT NOT NULL,
    dataset_id        TEXT,
    entropy_rate      DOUBLE PRECISION,
    unigram_entropy   DOUBLE PRECISION,
    stationary_json   TEXT,
    final_eval_loss   DOUBLE PRECISION,
    final_eval_stderr DOUBLE PRECISION,
    final_train_loss  DOUBLE PRECISION,
    seconds_elapsed   DOUBLE PRECISION,
    last_train_loss   DOUBLE PRECISION,
    last_eval_loss    DOUBLE PRECISION,
    verdict           TEXT,
    gap_to_optimum    DOUBLE PRECISION,
    tolerance         DOUBLE PRECISION,
    convergence_step  INT,
    error             TEXT,
    heartbeat_at      TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (experiment_id, cell_id, seed)
);
CREATE INDEX runs_experiment ON runs (experiment_id);

-- One row per (run, metric, step): a redelivered batch inserts nothing. NaN/inf are stored as such.
CREATE TABLE metrics (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    step   INT NOT NULL,
    value  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, name, step)
);

-- Event ids already applied (idempotent consumers).
CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Transactional outbox: a fact and the event announcing it are written in one transaction;
-- the relay publishes unsent rows to Kafka and marks them sent.
CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    topic      TEXT NOT NULL,
    msg_key    TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at    TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
