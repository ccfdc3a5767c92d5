-- Datasets: content-addressed (id = hash of normalized data spec and seed), generated once.
CREATE TABLE datasets (
    id                  TEXT PRIMARY KEY,
    spec_json           TEXT NOT NULL,
    seed                BIGINT NOT NULL,
    vocab               INT NOT NULL,
    seq_len             INT NOT NULL,
    train_sequences     INT NOT NULL,
    eval_sequences      INT NOT NULL,
    sequences_per_shard INT NOT NULL,
    shard_count         INT NOT NULL,
    eval_shard_count    INT NOT NULL,
    sha256              TEXT NOT NULL,
    entropy_rate        DOUBLE PRECISION,
    unigram_entropy     DOUBLE PRECISION,
    stationary_json     TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Shards: train shards are numbered 0..shard_count-1, eval shards follow. One byte per token.
CREATE TABLE shards (
    dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    shard_no   INT NOT NULL,
    split      TEXT NOT NULL CHECK (split IN ('train', 'eval')),
    sequences  INT NOT NULL,
    sha256     TEXT NOT NULL,
    data       BYTEA NOT NULL,
    PRIMARY KEY (dataset_id, shard_no)
);
