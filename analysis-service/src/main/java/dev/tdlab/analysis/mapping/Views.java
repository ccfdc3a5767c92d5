package dev.tdlab.analysis.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.CellStats;
import dev.tdlab.analysis.verdict.Claims;
import dev.tdlab.analysis.verdict.Verdicts;
import dev.tdlab.contracts.events.CellAggregate;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.spec.ExperimentSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Entities into the records that responses and events carry; the JSON columns are read here. */
@ApplicationScoped
public class Views {

    @Inject
    ObjectMapper mapper;

    public Views() {
    }

    /** For tests: with a given mapper. */
    public Views(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The experiment with its runs, per-cell aggregates and claims ({@code spec}: its spec as stored, read once). */
    public ExperimentView experiment(ExperimentEntity e, ExperimentSpec spec, List<RunEntity> runs) {
        List<RunView> rv = new ArrayList<>(runs.size());
        for (RunEntity r : runs) {
            rv.add(run(r));
        }
        return new ExperimentView(e.id, e.name, e.status, e.tenantId, e.runCount, e.createdAt, e.updatedAt,
                tree(e.specJson), rv, cells(runs), claims(spec, runs));
    }

    /** The experiment with its runs, and its cells and claims as computed by the caller (service/CellAggregates). */
    public ExperimentView experiment(ExperimentEntity e, List<RunEntity> runs, List<CellAggregate> cells,
                                     List<Claims.Claim> claims) {
        List<RunView> rv = new ArrayList<>(runs.size());
        for (RunEntity r : runs) {
            rv.add(run(r));
        }
        return new ExperimentView(e.id, e.name, e.status, e.tenantId, e.runCount, e.createdAt, e.updatedAt,
                tree(e.specJson), rv, cells, claims);
    }

    public Responses.ExperimentSummary summary(ExperimentEntity e) {
        return new Responses.ExperimentSummary(e.id, e.name, e.status, e.runCount, e.createdAt, e.tenantId);
    }

    public RunView run(RunEntity r) {
        RunView.Baselines b = new RunView.Baselines(r.entropyRate, r.unigramEntropy,
                r.stationaryJson == null ? null : tree(r.stationaryJson), r.optimalLoss, r.optimalLossStdErr,
                r.orderLossesJson == null ? null : tree(r.orderLossesJson));
        JsonNode convergence = r.convergenceJson == null ? null : tree(r.convergenceJson);
        return new RunView(r.id, r.experimentId, r.cellId, cell(r), r.seed, r.status, r.attempt, r.step, r.totalSteps,
                r.verdict, uninformative(r), convergence == null ? null : convergence.path("basis").asText(null), b, r.datasetId, r.lastTrainLoss, r.lastEvalLoss, r.finalEvalLoss, r.finalEvalStdErr,
                r.finalTrainLoss, r.gapToOptimum, r.tolerance, r.convergenceStep, r.gapLow, r.gapHigh,
                r.rateModel == null ? null : convergenceRate(r, convergence), r.stepsNearSaddle,
                convergence == null ? null : convergence.get("plateaus"),
                r.findingsJson == null ? null : tree(r.findingsJson), r.secondsElapsed, r.error, r.heartbeatAt);
    }

    /** The verdict of a run and its convergence ({@code optimum}: the entropy rate). */
    public Responses.RunVerdictView verdict(RunEntity r) {
        RunView v = run(r);
        return new Responses.RunVerdictView(r.id, r.verdict, r.finalEvalLoss, r.entropyRate, r.unigramEntropy,
                r.gapToOptimum, r.tolerance, r.convergenceStep, v.gapLow(), v.gapHigh(), v.convergenceRate(),
                v.stepsNearSaddle(), v.plateaus());
    }

    /** The better fit of the approach to the optimum, and both fits with their goodness of fit. */
    private static RunView.ConvergenceRate convergenceRate(RunEntity r, JsonNode convergence) {
        JsonNode fits = convergence == null ? null : convergence.get("rate");
        return new RunView.ConvergenceRate(r.rateModel, r.rate, r.rateR2, fits == null ? null : fits.get("exponential"),
                fits == null ? null : fits.get("powerLaw"));
    }

    /**
     * The seed papers' claims that apply to this experiment (verdict/Claims), judged on its finished runs; decided
     * when read, so a rerun's runs count as soon as they finish.
     */
    public List<Claims.Claim> claims(ExperimentSpec stored, List<RunEntity> runs) {
        ExperimentSpec spec = stored.withDefaults();
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("model.depth", spec.model().depth());
        base.put("model.dModel", spec.model().dModel());
        base.put("model.residualScaling", spec.model().residualScaling());
        base.put("model.parameterization", spec.model().parameterization());
        base.put("model.attention", spec.model().attention());
        base.put("train.trainable", spec.train().trainable());
        base.put("train.optimizer", spec.train().optimizer());
        base.put("train.lr", spec.train().lr());
        if (spec.data() != null) {
            base.put("data.p", spec.data().p());
            base.put("data.q", spec.data().q());
        }
        base.put("model.init.scheme", spec.model().init() == null ? null : spec.model().init().scheme());
        // what SongClaims / LiClaims read of the setup (budget, batch mode, loss regime, patch norms)
        base.put("train.steps", spec.train().steps());
        base.put("train.fullBatch", spec.train().fullBatch());
        base.put("model.readout", spec.model().readout());
        base.put("model.loss", spec.model().loss());
        if (spec.data() != null) {
            base.put("data.family", spec.data().family());
            base.put("data.dim", spec.data().dim());
            base.put("data.patches", spec.data().patches());
            base.put("data.trainSequences", spec.data().trainSequences());
            base.put("data.matchNorms", spec.data().matchNorms());
            base.put("data.sparsity", spec.data().sparsity());
        }
        List<Claims.Run> finished = new ArrayList<>();
        for (RunEntity r : runs) {
            if (r.verdict == null) {
                continue;
            }
            Map<String, Object> findings = r.findingsJson == null ? Map.of()
                    : mapper.convertValue(tree(r.findingsJson), new TypeReference<LinkedHashMap<String, Object>>() { });
            finished.add(new Claims.Run(cell(r), r.seed, r.finalEvalLoss, r.finalTrainLoss, findings, r.verdict,
                    uninformative(r)));
        }
        return Claims.judge(spec.model().family(), base, spec.sweep().keySet(), finished);
    }

    /** Per-cell aggregates over seeds (in the order of the runs' cells). */
    public List<CellAggregate> cells(List<RunEntity> runs) {
        Map<String, List<RunEntity>> byCell = new LinkedHashMap<>();
        for (RunEntity r : runs) {
            byCell.computeIfAbsent(r.cellId, k -> new ArrayList<>()).add(r);
        }
        List<CellAggregate> out = new ArrayList<>();
        for (Map.Entry<String, List<RunEntity>> c : byCell.entrySet()) {
            int finished = 0, global = 0, local = 0, notConv = 0, diverged = 0, decided = 0, unresolved = 0;
            double sum = 0;
            int losses = 0;
            for (RunEntity r : c.getValue()) {
                if (RunState.FINISHED.name().equals(r.status)) {
                    finished++;
                }
                if (r.verdict != null) {
                    decided++;
                    switch (r.verdict) {
                        case "GLOBAL" -> global++;
                        case "LOCAL" -> local++;
                        case "NOT_CONVERGED" -> notConv++;
                        case "DIVERGED" -> diverged++;
                        case "UNRESOLVED" -> unresolved++;
                        default -> { }
                    }
                }
                if (r.finalEvalLoss != null && Double.isFinite(r.finalEvalLoss)) {
                    sum += r.finalEvalLoss;
                    losses++;
                }
            }
            RunEntity first = c.getValue().get(0);
            double[] conv = c.getValue().stream().filter(r -> r.convergenceStep != null)
                    .mapToDouble(r -> r.convergenceStep).toArray();
            CellStats.Interval wilson = decided == 0 ? null : CellStats.wilson(global, decided, 1.959964);
            CellStats.Interval convCi = conv.length == 0 ? null
                    : CellStats.bootstrapMedian(conv, 2000, 0.05, c.getKey().hashCode());
            long kinds = c.getValue().stream().map(r -> r.verdict).filter(Objects::nonNull).distinct().count();
            out.add(new CellAggregate(c.getKey(), cell(first), c.getValue().size(), finished, global, local, notConv,
                    diverged, decided == 0 ? null : (double) global / decided,
                    wilson == null ? null : wilson.low(), wilson == null ? null : wilson.high(),
                    losses == 0 ? null : sum / losses,
                    conv.length == 0 ? null : CellStats.median(conv),
                    convCi == null ? null : convCi.low(), convCi == null ? null : convCi.high(),
                    kinds > 1, first.entropyRate, first.unigramEntropy, unresolved, uninformative(first)));
        }
        return out;
    }

    /** The run's optimum coincides with a known plateau (Verdicts.uninformative): p + q = 1 and the like. */
    public boolean uninformative(RunEntity r) {
        Double optimum = r.optimalLoss != null ? r.optimalLoss : r.entropyRate;
        if (optimum == null) {
            return false;
        }
        List<Double> plateaus = new ArrayList<>();
        if (r.unigramEntropy != null) {
            plateaus.add(r.unigramEntropy);
        }
        if (r.orderLossesJson != null) {
            JsonNode orders = tree(r.orderLossesJson);
            for (int k = 1; k < orders.size() - 1; k++) {
                if (orders.get(k).isNumber()) {
                    plateaus.add(orders.get(k).asDouble());
                }
            }
        }
        return Verdicts.uninformative(optimum, plateaus.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The sweep cell of a run: axis → value, in the spec's order. */
    public Map<String, Object> cell(RunEntity r) {
        try {
            return mapper.readValue(r.cellJson, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private JsonNode tree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
