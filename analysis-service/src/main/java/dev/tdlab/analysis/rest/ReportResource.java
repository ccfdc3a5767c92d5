package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.figures.FigureService;
import dev.tdlab.analysis.mapping.ExperimentView;
import dev.tdlab.analysis.mapping.Responses;
import dev.tdlab.analysis.mapping.RunView;
import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.service.Experiments;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.contracts.events.CellAggregate;
import io.quarkus.qute.Template;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The report of an experiment: HTML (verdict tables, per-cell statistics, the phase diagram of a
 * two-axis sweep, the template's claim figures, eval-loss curves against the entropy-rate and unigram lines), JSON,
 * and CSV. The HTML is self-contained: uPlot and the figures are inlined, so a saved report opens offline.
 */
@Path("/api/v1/experiments")
@Authenticated
public class ReportResource {

    @Inject
    Access access;

    @Inject
    ExperimentStore store;
    @Inject
    Experiments experiments;
    @Inject
    ObjectMapper mapper;
    @Inject
    Template report;
    @Inject
    FigureService figures;

    /** uPlot's script and style, read once from its webjar: inlined so that a saved report works offline. */
    static final String UPLOT_JS = webjar("dist/uPlot.iife.min.js");
    static final String UPLOT_CSS = webjar("dist/uPlot.min.css");

    @GET
    @Path("/{id}/report")
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "getExperimentReportHtml", description = "The experiment's report as HTML: verdict tables, per-cell statistics, the phase diagram and the eval-loss curves.")
    @Tag(name = "reports")
    public String html(@PathParam("id") String id) throws JsonProcessingException {
        ExperimentView view = experiments.view(found(id));
        Map<String, Object> curves = new LinkedHashMap<>();
        for (RunView r : view.runs()) {
            List<Downsample.Point> pts = store.metric(r.id(), "eval_loss", 0, Integer.MAX_VALUE, 300);
            curves.put(r.id(), Map.of("steps", pts.stream().map(Downsample.Point::step).toList(),
                    "values", pts.stream().map(p -> Double.isFinite(p.value()) ? p.value() : null).toList()));
        }
        List<CellAggregate> cells = view.cells();
        List<Map<String, Object>> conv = view.runs().stream().map(ReportResource::convergenceCells).toList();
        // the template reads the view's fields by name, as a tree of maps and lists
        return report.data("e", mapper.convertValue(view, new TypeReference<LinkedHashMap<String, Object>>() { }))
                .data("conv", conv)
                .data("cells", cellRows(cells))
                .data("phase", mapper.convertValue(phase(cells), new TypeReference<LinkedHashMap<String, Object>>() { }))
                .data("curvesJson", mapper.writeValueAsString(curves))
                .data("runsJson", mapper.writeValueAsString(view.runs()))
                .data("specJson", mapper.writerWithDefaultPrettyPrinter().writeValueAsString(view.spec()))
                .data("figures", figures.inline(view).stream().map(f -> Map.of("name", f.name(), "title", f.title(),
                        "svg", f.svg())).toList())
                .data("uplotJs", UPLOT_JS)
                .data("uplotCss", UPLOT_CSS)
                .render();
    }

    /** Where uPlot's files are in its webjar (org.webjars.npm:uplot). */
    static final String UPLOT_WEBJAR = "META-INF/resources/webjars/uplot/1.6.30/";

    static String webjar(String file) {
        String path = UPLOT_WEBJAR + file;
        try (java.io.InputStream in = ReportResource.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the class path (the org.webjars.npm:uplot dependency)");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @GET
    @Path("/{id}/report.json")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getExperimentReport", description = "The experiment's report as JSON: the experiment view and the phase diagram of a two-numeric-axis sweep.")
    @Tag(name = "reports")
    public Responses.Report json(@PathParam("id") String id) {
        ExperimentView view = experiments.view(found(id));
        return new Responses.Report(view, phase(view.cells()));
    }

    /**
     * One row per run: cell values, seed, status, verdict, losses, baselines, convergence; then the run's findings
     * (JSON) and the experiment's claims ({@code id=OUTCOME} separated by spaces, the same on every row).
     */
    @GET
    @Path("/{id}/report.csv")
    @Produces("text/csv")
    @Operation(operationId = "getExperimentReportCsv", description = "The experiment's report as CSV, one row per run, with the run's findings and the experiment's claims as columns.")
    @Tag(name = "reports")
    public Response csv(@PathParam("id") String id) {
        ExperimentView view = experiments.view(found(id));
        TreeSet<String> axes = new TreeSet<>();
        for (RunView v : view.runs()) {
            axes.addAll(v.cell().keySet());
        }
        StringBuilder sb = new StringBuilder();
        List<String> head = new ArrayList<>(List.of("run_id", "cell_id"));
        head.addAll(axes);
        head.addAll(List.of("seed", "status", "verdict", "final_eval_loss", "final_eval_stderr", "entropy_rate",
                "unigram_entropy", "gap_to_optimum", "gap_low", "gap_high", "tolerance", "convergence_step",
                "rate_model", "rate", "rate_r2", "steps_near_saddle", "plateaus", "steps", "seconds", "findings", "claims"));
        String claims = view.claims() == null ? null : String.join(" ", view.claims().stream()
                .map(c -> c.id() + "=" + c.outcome()).toList());
        sb.append(String.join(",", head)).append('\n');
        for (RunView v : view.runs()) {
            List<Object> row = new ArrayList<>(List.of(v.id(), v.cellId()));
            for (String a : axes) {
                row.add(v.cell().get(a));
            }
            RunView.ConvergenceRate rate = v.convergenceRate();
            row.addAll(Arrays.asList(v.seed(), v.status(), v.verdict(), v.finalEvalLoss(), v.finalEvalStdErr(),
                    v.baselines().entropyRate(), v.baselines().unigramEntropy(), v.gapToOptimum(), v.gapLow(),
                    v.gapHigh(), v.tolerance(), v.convergenceStep(), rate == null ? null : rate.model(),
                    rate == null ? null : rate.rate(), rate == null ? null : rate.r2(), v.stepsNearSaddle(),
                    plateauList(v.plateaus()), v.step(), v.secondsElapsed(),
                    v.findings() == null || v.findings().isNull() ? null : v.findings().toString(), claims));
            sb.append(String.join(",", row.stream().map(ReportResource::csvField).toList())).append('\n');
        }
        return Response.ok(sb.toString()).header("Content-Disposition", "attachment; filename=\"" + id + ".csv\"").build();
    }

    /** Plateaus as {@code level:from-to} separated by spaces, e.g. {@code unigram:0-500 flat:650-800}. */
    static String plateauList(JsonNode plateaus) {
        if (plateaus == null || !plateaus.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode p : plateaus) {
            out.add(p.path("level").asText() + ":" + p.path("fromStep").asInt() + "-" + p.path("toStep").asInt());
        }
        return String.join(" ", out);
    }

    /** Run fields formatted for the HTML table: gap with its interval, the rate fit, the plateaus. */
    static Map<String, Object> convergenceCells(RunView run) {
        Map<String, Object> m = new LinkedHashMap<>();
        Double gap = run.gapToOptimum();
        Double lo = run.gapLow();
        Double hi = run.gapHigh();
        m.put("gap", gap != null ? String.format("%.6f", gap)
                + (lo != null && hi != null ? String.format(" [%.6f, %.6f]", lo, hi) : "") : "");
        RunView.ConvergenceRate r = run.convergenceRate();
        double r2 = r == null || r.r2() == null ? Double.NaN : r.r2();
        m.put("rate", r == null || r.model() == null || r.rate() == null ? "" : "power".equals(r.model())
                ? String.format("t^-%.3g (R² %.3f)", r.rate(), r2)
                : String.format("e^-%.3gt (R² %.3f)", r.rate(), r2));
        String plateaus = plateauList(run.plateaus());
        m.put("plateaus", plateaus == null ? "" : plateaus);
        m.put("nearSaddle", run.stepsNearSaddle() == null ? "" : run.stepsNearSaddle().toString());
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
    static Responses.PhaseDiagram phase(List<CellAggregate> cells) {
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
        List<Responses.PhaseRow> rows = new ArrayList<>();
        for (Double y : ys.descendingSet()) {
            List<Responses.PhaseCell> row = new ArrayList<>();
            for (Double x : xs) {
                CellAggregate hit = null;
                for (CellAggregate c : cells) {
                    if (((Number) c.cell().get(axes.get(0))).doubleValue() == x
                            && ((Number) c.cell().get(axes.get(1))).doubleValue() == y) {
                        hit = c;
                    }
                }
                row.add(new Responses.PhaseCell(x, y, hit == null ? null : hit.fractionGlobal(),
                        hit == null ? 0 : hit.runs(), hit == null ? 0 : hit.global(),
                        hit == null ? 0 : hit.unresolved(),
                        hit != null && hit.uninformative(), // optimum = plateau: left out of claims
                        makkuva ? x + y : null,
                        makkuva ? (Math.abs(x + y - 1) < 1e-12 ? "on" : (x + y > 1 ? "above" : "below")) : null));
            }
            rows.add(new Responses.PhaseRow(y, row));
        }
        return new Responses.PhaseDiagram(axes.get(0), axes.get(1), new ArrayList<>(xs), rows,
                makkuva ? "p + q = 1" : null);
    }

    /** The experiment if this caller may see it; another tenant's id is a 404 like an unknown one. */
    private ExperimentEntity found(String id) {
        return access.experiment(id);
    }
}
