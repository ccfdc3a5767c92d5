package dev.tdlab.analysis.figures;

import dev.tdlab.analysis.mapping.ExperimentView;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.verdict.Downsample;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * An experiment's figures, rendered here as PNG or SVG: which figures it has ({@link #list}) and one figure by name
 * ({@link #render}). The curves come from the metric store, at most {@value FigurePlan#MAX_POINTS} points per
 * series on the figure's grid; findings, verdicts and claims from the experiment view.
 */
@ApplicationScoped
public class FigureService {

    /** The two encodings served. */
    public enum Format { PNG, SVG }

    /** One figure of an experiment: its name (the file name without extension), title, kind, claims and where to get it. */
    @Schema(description = "One figure of an experiment.")
    public record Figure(
            @Schema(description = "The figure's name: the file name without its extension, e.g. loss-p0.2-q0.3") String name,
            @Schema(description = "What the figure shows") String title,
            @Schema(description = "loss-curves, excess-loss, phase-diagram, or claim:TEMPLATE for a template's claim figure") String kind,
            @Schema(description = "The claims judged on this experiment whose evidence the figure shows, as id: OUTCOME") List<String> claims,
            @Schema(description = "Path of the SVG") String svg,
            @Schema(description = "Path of the PNG") String png) {
    }

    /** {@code GET /experiments/{id}/figures}. */
    @Schema(description = "The figures an experiment has, in the order they are listed.")
    public record FigureList(String experimentId, List<Figure> figures) {
    }

    @Inject
    ExperimentStore store;

    public FigureList list(ExperimentView view) {
        String base = "/api/v1/experiments/" + view.id() + "/figures/";
        return new FigureList(view.id(), plan(view).entrySet().stream()
                .map(e -> new Figure(e.getKey(), e.getValue().title(), e.getValue().kind(), e.getValue().claims(),
                        base + e.getKey() + ".svg",
                        base + e.getKey() + ".png")).toList());
    }

    /** The figure {@code name} of the experiment; 404 problem naming it when the experiment has no such figure. */
    public byte[] render(ExperimentView view, String name, Format format) {
        FigurePlan.Entry e = plan(view).get(name);
        if (e == null) {
            throw ProblemException.notFound("experiment " + view.id() + " has no figure '" + name
                    + "' (GET /api/v1/experiments/" + view.id() + "/figures lists them)");
        }
        var chart = e.chart().get();
        return format == Format.PNG ? Charts.png(chart) : Charts.svg(chart);
    }

    /** A figure drawn for embedding in HTML: its title and its SVG element (no XML prolog or DOCTYPE). */
    public record Inline(String name, String title, String svg) {
    }

    /**
     * The phase diagrams and the template's claim figures as inline SVG, for the self-contained HTML report (the
     * per-cell loss figures are left to the report's own interactive plots).
     */
    public List<Inline> inline(ExperimentView view) {
        List<Inline> out = new java.util.ArrayList<>();
        for (Map.Entry<String, FigurePlan.Entry> e : plan(view).entrySet()) {
            String kind = e.getValue().kind();
            if (kind.equals("phase-diagram") || kind.startsWith("claim:")) {
                String svg = new String(Charts.svg(e.getValue().chart().get()), java.nio.charset.StandardCharsets.UTF_8);
                out.add(new Inline(e.getKey(), e.getValue().title(), svg.substring(svg.indexOf("<svg"))));
            }
        }
        return out;
    }

    private Map<String, FigurePlan.Entry> plan(ExperimentView view) {
        return FigurePlan.of(view, (runId, metric) -> {
            List<Downsample.Point> pts = store.metric(runId, metric, 0, Integer.MAX_VALUE, 4 * FigurePlan.MAX_POINTS);
            return new Bands.Curve(pts.stream().mapToDouble(Downsample.Point::step).toArray(),
                    pts.stream().mapToDouble(Downsample.Point::value).toArray());
        });
    }
}
