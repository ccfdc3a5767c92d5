-- The dataset's optimum as the model sees it (Baselines.optimalLoss) and the losses of the best
-- lower-order predictors (Baselines.orderLosses): the verdict compares against these when present.
ALTER TABLE runs ADD COLUMN optimal_loss DOUBLE PRECISION;
ALTER TABLE runs ADD COLUMN order_losses_json TEXT;
