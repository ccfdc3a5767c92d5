-- How a finished run approached its optimum (verdict/Convergence, verdict/Verdicts.assess): the optimum's own
-- standard error (Baselines.optimalLossStdErr, 0 when exact), the 95 % interval of the gap, the better rate
-- fit of the tail after the last plateau, the steps spent on plateaus, and the whole analysis as JSON
-- (both fits, the plateaus, the parts of the tolerance).
ALTER TABLE runs ADD COLUMN optimal_loss_stderr DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN gap_low DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN gap_high DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN rate_model TEXT;
ALTER TABLE runs ADD COLUMN rate DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN rate_r2 DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN steps_near_saddle INT;
ALTER TABLE runs ADD COLUMN convergence_json TEXT;
