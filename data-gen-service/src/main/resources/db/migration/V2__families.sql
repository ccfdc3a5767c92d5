-- Every data family (issue 5): the family and shard encoding of each dataset, its full theory, and
-- the dimensions of the patch families. vocab and seq_len only apply to token families now.
ALTER TABLE datasets ADD COLUMN family TEXT NOT NULL DEFAULT 'markov';
ALTER TABLE datasets ADD COLUMN encoding TEXT NOT NULL DEFAULT 'u8';
ALTER TABLE datasets ADD COLUMN patches INT;
ALTER TABLE datasets ADD COLUMN dim INT;
ALTER TABLE datasets ADD COLUMN stored_bytes BIGINT;
ALTER TABLE datasets ADD COLUMN generation_ms BIGINT;
ALTER TABLE datasets ADD COLUMN baselines_json TEXT;
ALTER TABLE datasets ADD COLUMN theory_json TEXT;
ALTER TABLE datasets ALTER COLUMN vocab DROP NOT NULL;
ALTER TABLE datasets ALTER COLUMN seq_len DROP NOT NULL;
