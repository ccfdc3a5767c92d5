-- What happened to an experiment, in order: the source of the live stream (SSE), resumable by id.
CREATE TABLE experiment_events (
    id            BIGSERIAL PRIMARY KEY,
    experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    type          TEXT NOT NULL,
    run_id        TEXT,
    payload       TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX experiment_events_by_experiment ON experiment_events (experiment_id, id);
