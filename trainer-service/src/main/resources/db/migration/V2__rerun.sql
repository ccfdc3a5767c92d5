-- The rerun number of the event that queued a run: a higher one re-queues a FAILED or CANCELLED run.
ALTER TABLE runs ADD COLUMN rerun INT NOT NULL DEFAULT 0;
