-- The latest checkpoint of each run (parameters, optimizer state, data cursor), for a bit-identical
-- resume after the trainer that ran it died. Keyed by run and rerun: a rerun starts fresh.
CREATE TABLE checkpoints (
    run_id     TEXT NOT NULL,
    rerun      INT NOT NULL,
    attempt    INT NOT NULL,
    step       INT NOT NULL,
    data       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, rerun)
);
