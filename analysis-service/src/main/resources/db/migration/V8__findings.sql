-- A run's family-specific findings (verdict/Findings: rank collapse, classifier convergence and stages) as
-- JSON, decided with its verdict; and the Bayes 0-1 error of classification data (Baselines.bayesError).
ALTER TABLE runs ADD COLUMN bayes_error DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN findings_json TEXT;
