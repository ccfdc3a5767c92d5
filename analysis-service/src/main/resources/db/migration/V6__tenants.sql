-- Tenants and their API tokens (issue 9). Every experiment belongs to one tenant; the experiments from
-- before tenants, and the admin's own submissions, belong to the tenant 'default'.
CREATE TABLE tenants (
    id                              TEXT PRIMARY KEY,
    name                            TEXT NOT NULL,
    created_at                      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- quota overrides; NULL = the config default (tdlab.quota.*)
    max_step_parameters             BIGINT,   -- Σ steps × parameters over one experiment's runs
    max_runs_per_experiment         INT,      -- cells × seeds
    max_concurrent_runs             INT,      -- runs not yet ended, across the tenant's experiments
    max_dataset_size                BIGINT    -- sequences × seqLen of one run's dataset
);
INSERT INTO tenants (id, name) VALUES ('default', 'default tenant');

-- Only the SHA-256 of a token is kept (hex); the token itself is shown once, when it is issued.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    display     TEXT NOT NULL,            -- the token's first characters, to recognize it in a listing
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id);

ALTER TABLE experiments ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default' REFERENCES tenants (id);
CREATE INDEX experiments_tenant_created ON experiments (tenant_id, created_at DESC);
