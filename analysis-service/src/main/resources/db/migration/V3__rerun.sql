-- How many times a failed or cancelled run was planned again (POST /experiments/{id}/rerun).
ALTER TABLE runs ADD COLUMN rerun INT NOT NULL DEFAULT 0;
