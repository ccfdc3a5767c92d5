package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.contracts.events.CellAggregate;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The report of an experiment: HTML (verdict tables, per-cell statistics, the phase diagram of a
 * two-axis sweep, eval-loss curves against the entropy-rate and unigram lines), JSON, and CSV.
 */
@Path("/api/v1/experiments")
@io.quarkus.security.Authenticated
public class ReportResource {

    @Inject
    dev.tdlab.analysis.security.Access access;

    @Inject
    ExperimentStore store;
    @Inject
    ObjectMapper mapper;
    @Inject
    Template report;

    @GET
    @Path("/{id}/report")
    @Produces(MediaType.TEXT_HTML)
    public String html(@PathParam("id") String id) throws JsonProcessingException {
        ExperimentEntity e = found(id);
        Map<String, Object> view = store.view(e);
        List<RunEntity> runs = store.runs(id);
        Map<String, Object> curves = new LinkedHashMap<>();
        for (RunEntity r : runs) {
            List<Downsample.Point> pts = store.metric(r.id, "eval_loss", 0, Integer.MAX_VALUE, 300);
            curves.put(r.id, Map.of("steps", pts.stream().map(Downsample.Point::step).toList(),
                    "values", pts.stream().map(p -> Double.isFinite(p.value()) ? p.value() : null).toList()));
        }
        List<CellAggregate> cells = cellsOf(view);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runViews = (List<Map<String, Object>>) view.get("runs");
        List<Map<String, Object>> conv = runViews.stream().map(ReportResource::convergenceCells).toList();
        return report.data("e", view)
                .data("conv", conv)
                .data("cells", cellRows(cells))
                .data("phase", phase(cells))
                .data("curvesJson", mapper.writeValueAsString(curves))
                .data("runsJson", mapper.writeValueAsString(view.get("runs")))
                .data("specJson", mapper.writerWithDefaultPrettyPrinter().writeValueAsString(view.get("spec")))
                .render();
    }

    @GET
    @Path("/{id}/report.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> json(@PathParam("id") String id) {
        ExperimentEntity e = found(id);
        Map<String, Object> view = store.view(e);
        Map<String, Object> out = new LinkedHashMap<>(view);
        out.put("phase", phase(cellsOf(view)));
        return out;
    }

    /** The per-cell aggregates the experiment view computed already (bootstrap included): not computed again. */
    @SuppressWarnings("unchecked")
    private static List<CellAggregate> cellsOf(Map<String, Object> view) {
        return (List<CellAggregate>) view.get("cells");
    }

    /** One row per run: cell values, seed, status, verdict, losses, baselines, convergence. */
    @GET
    @Path("/{id}/report.csv")
    @Produces("text/csv")
    public Response csv(@PathParam("id") String id) {
        found(id);
        List<RunEntity> runs = store.runs(id);
        TreeSet<String> axes = new TreeSet<>();
        List<Map<String, Object>> views = new ArrayList<>();
        for (RunEntity r : runs) {
            Map<String, Object> v = store.runView(r);
            @SuppressWarnings("unchecked")
            Map<String, Object> cell = (Map<String, Object>) v.get("cell");
            axes.addAll(cell.keySet());
            views.add(v);
        }
        StringBuilder sb = new StringBuilder();
        List<String> head = new ArrayList<>(List.of("run_id", "cell_id"));
        head.addAll(axes);
        head.addAll(List.of("seed", "status", "verdict", "final_eval_loss", "final_eval_stderr", "entropy_rate",
                "unigram_entropy", "gap_to_optimum", "gap_low", "gap_high", "tolerance", "convergence_step",
                "rate_model", "rate", "rate_r2", "steps_near_saddle", "plateaus", "steps", "seconds"));
        sb.append(String.join(",", head)).append('\n');
        for (Map<String, Object> v : views) {
            @SuppressWarnings("unchecked")
            Map<String, Object> cell = (Map<String, Object>) v.get("cell");
            @SuppressWarnings("unchecked")
            Map<String, Object> b = (Map<String, Object>) v.get("baselines");
            List<Object> row = new ArrayList<>(List.of(v.get("id"), v.get("cellId")));
            for (String a : axes) {
                row.add(cell.get(a));
            }
            row.addAll(java.util.Arrays.asList(v.get("seed"), v.get("status"), v.get("verdict"), v.get("finalEvalLoss"),
                    v.get("finalEvalStdErr"), b.get("entropyRate"), b.get("unigramEntropy"), v.get("gapToOptimum"),
                    v.get("gapLow"), v.get("gapHigh"), v.get("tolerance"), v.get("convergenceStep"),
                    rate(v, "model"), rate(v, "rate"), rate(v, "r2"), v.get("stepsNearSaddle"),
                    plateauList(v.get("plateaus")), v.get("step"), v.get("secondsElapsed")));
            sb.append(String.join(",", row.stream().map(ReportResource::csvField).toList())).append('\n');
        }
        return Response.ok(sb.toString()).header("Content-Disposition", "attachment; filename=\"" + id + ".csv\"").build();
    }

    @SuppressWarnings("unchecked")
    private static Object rate(Map<String, Object> run, String key) {
        Object r = run.get("convergenceRate");
        return r instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
    }

    /** Plateaus as {@code level:from-to} separated by spaces, e.g. {@code unigram:0-500 flat:650-800}. */
    static String plateauList(Object plateaus) {
        if (!(plateaus instanceof com.fasterxml.jackson.databind.JsonNode n) || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode p : n) {
            out.add(p.path("level").asText() + ":" + p.path("fromStep").asInt() + "-" + p.path("toStep").asInt());
        }
        return String.join(" ", out);
    }

    /** Run fields formatted for the HTML table: gap with its interval, the rate fit, the plateaus. */
    static Map<String, Object> convergenceCells(Map<String, Object> run) {
        Map<String, Object> m = new LinkedHashMap<>();
        Object gap = run.get("gapToOptimum");
        Object lo = run.get("gapLow");
        Object hi = run.get("gapHigh");
        m.put("gap", gap instanceof Number g ? String.format("%.6f", g.doubleValue())
                + (lo instanceof Number l && hi instanceof Number h
                ? String.format(" [%.6f, %.6f]", l.doubleValue(), h.doubleValue()) : "") : "");
        Object model = rate(run, "model");
        Object rate = rate(run, "rate");
        Object r2 = rate(run, "r2");
        m.put("rate", model == null || !(rate instanceof Number r) ? "" : "power".equals(model)
                ? String.format("t^-%.3g (R² %.3f)", r.doubleValue(), r2 instanceof Number x ? x.doubleValue() : Double.NaN)
                : String.format("e^-%.3gt (R² %.3f)", r.doubleValue(), r2 instanceof Number x ? x.doubleValue() : Double.NaN));
        String plateaus = plateauList(run.get("plateaus"));
        m.put("plateaus", plateaus == null ? "" : plateaus);
        m.put("nearSaddle", run.get("stepsNearSaddle") == null ? "" : run.get("stepsNearSaddle").toString());
        return m;
    }

    /** Cell aggregates with their numbers formatted for the HTML table. */
    static List<Map<String, Object>> cellRows(List<CellAggregate> cells) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CellAggregate c : cells) {
            Map<String, Object> m = new LinkedHashMap<>();
            StringBuilder label = new StringBuilder();
            c.cell().forEach((k, v) -> label.append(k).append('=').append(v).append(' '));
            m.put("label", label.length() == 0 ? "(no sweep)" : label.toString().trim());
            m.put("c", c);
            m.put("fraction", c.fractionGlobal() == null ? "" : String.format("%.2f [%.2f, %.2f]",
                    c.fractionGlobal(), c.fractionGlobalLow(), c.fractionGlobalHigh()));
            m.put("convergence", c.medianConvergenceStep() == null ? "" : String.format("%.0f [%.0f, %.0f]",
                    c.medianConvergenceStep(), c.convergenceStepLow(), c.convergenceStepHigh()));
            m.put("meanLoss", c.meanFinalEvalLoss() == null ? "" : String.format("%.6f", c.meanFinalEvalLoss()));
            m.put("entropyRate", c.entropyRate() == null ? "" : String.format("%.6f", c.entropyRate()));
            m.put("unigram", c.unigramEntropy() == null ? "" : String.format("%.6f", c.unigramEntropy()));
            out.add(m);
        }
        return out;
    }

    static String csvField(Object o) {
        if (o == null) {
            return "";
        }
        String s = o.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /**
     * The phase diagram of a sweep with exactly two numeric axes: rows = values of the second axis,
     * columns = values of the first, each entry the fraction of GLOBAL verdicts; null otherwise.
     * For a (data.p, data.q) sweep each entry also says which side of Makkuva's p + q = 1 line it is on.
     */
    static Map<String, Object> phase(List<CellAggregate> cells) {
        if (cells.isEmpty() || cells.get(0).cell().size() != 2) {
            return null;
        }
        List<String> axes = new ArrayList<>(cells.get(0).cell().keySet());
        TreeSet<Double> xs = new TreeSet<>();
        TreeSet<Double> ys = new TreeSet<>();
        for (CellAggregate c : cells) {
            if (!(c.cell().get(axes.get(0)) instanceof Number x) || !(c.cell().get(axes.get(1)) instanceof Number y)) {
                return null;
            }
            xs.add(x.doubleValue());
            ys.add(y.doubleValue());
        }
        boolean makkuva = axes.contains("data.p") && axes.contains("data.q");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Double y : ys.descendingSet()) {
            List<Map<String, Object>> row = new ArrayList<>();
            for (Double x : xs) {
                CellAggregate hit = null;
                for (CellAggregate c : cells) {
                    if (((Number) c.cell().get(axes.get(0))).doubleValue() == x
                            && ((Number) c.cell().get(axes.get(1))).doubleValue() == y) {
                        hit = c;
                    }
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("x", x);
                entry.put("y", y);
                entry.put("fractionGlobal", hit == null ? null : hit.fractionGlobal());
                entry.put("runs", hit == null ? 0 : hit.runs());
                entry.put("global", hit == null ? 0 : hit.global());
                if (makkuva) {
                    entry.put("pPlusQ", x + y);
                    entry.put("side", Math.abs(x + y - 1) < 1e-12 ? "on" : (x + y > 1 ? "above" : "below"));
                }
                row.add(entry);
            }
            rows.add(Map.of("y", y, "cells", row));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("xAxis", axes.get(0));
        out.put("yAxis", axes.get(1));
        out.put("xs", new ArrayList<>(xs));
        out.put("rows", rows);
        out.put("theoryLine", makkuva ? "p + q = 1" : null);
        return out;
    }

    /** The experiment if this caller may see it; another tenant's id is a 404 like an unknown one. */
    private ExperimentEntity found(String id) {
        return access.experiment(id);
    }
}
