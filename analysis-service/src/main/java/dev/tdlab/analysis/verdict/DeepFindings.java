package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code deep} family's findings (Noci et al. 2022; Bordelon et al. 2024), read off a run's stored metric
 * series: pure functions, called by {@link Findings}. "At init" is the first stored point of a series: the trainer
 * measures these at step 1 on the parameters before the first update.
 *
 * <p>The definitions (the same in docs/reproductions/noci.md and docs/templates.md):
 * <ul>
 *   <li><b>rank-collapse measure</b> of a layer: ρ = ‖X − 1x̄ᵀ‖_F / ‖X‖_F of the T×d token matrix X at the output of
 *       that block (x̄ its mean row; batch mean over sequences); 0 = all tokens equal (rank one). Series
 *       {@code rank_collapse/layer{l}}. {@code rankCollapseInit} / {@code rankCollapseFinal}: the last block's ρ at
 *       the first and last measured step; {@code rankCollapseInitPerLayer}: every block's ρ at init;
 *       {@code collapsed}: {@code rankCollapseInit < collapseThreshold}.</li>
 *   <li><b>Q/K-vs-V gradient ratio</b> of block l at init: g_l = (‖∇W_Q^l‖_F + ‖∇W_K^l‖_F) / (2‖∇W_V^l‖_F), the
 *       gradient norms of that block's query, key and value matrices at step 1 ({@code grad_norm/layer{l}/q|k|v}).
 *       {@code qkOverVGradInitPerLayer}: g_l per block (null where not finite); {@code qkOverVGradInit}: the median of
 *       the finite g_l over the blocks.</li>
 *   <li><b>attention entropy at init</b>, to tell collapse (uniform attention, entropy ratio near 1) from softmax
 *       saturation (one-hot attention, ratio near 0): {@code attnEntropyRatioInitPerLayer}: per block the mean row
 *       entropy of the attention weights divided by that of uniform attention over the same keys
 *       ({@code attn_entropy_ratio/layer{l}}); {@code attnEntropyRatioInitMin} its minimum over the blocks;
 *       {@code attnEntropyInit}: the mean over blocks of the entropy in nats ({@code attn_entropy/layer{l}}).</li>
 *   <li><b>loss curve</b> (Bordelon's width convergence): {@code evalLossCurve} = {steps, values} of {@code eval_loss}.</li>
 *   <li><b>head variance at init</b> (Bordelon): {@code headVarianceInit}: the mean over blocks of
 *       {@code head_variance/layer{l}}, the variance across heads of the attention weights at init.</li>
 * </ul>
 */
final class DeepFindings {

    private DeepFindings() {
    }

    /** The metric names {@link #of} reads for a stack of {@code depth} blocks. */
    static List<String> metricNames(int depth) {
        List<String> out = new ArrayList<>();
        out.add("eval_loss");
        for (int l = 0; l < depth; l++) {
            out.add("rank_collapse/layer" + l);
            out.add("grad_norm/layer" + l + "/q");
            out.add("grad_norm/layer" + l + "/k");
            out.add("grad_norm/layer" + l + "/v");
            out.add("attn_entropy/layer" + l);
            out.add("attn_entropy_ratio/layer" + l);
            out.add("head_variance/layer" + l);
        }
        return out;
    }

    /** The findings of one deep run; keys whose series are absent are left out. */
    static Map<String, Object> of(int depth, Map<String, Findings.Series> series, Findings.Thresholds t) {
        Map<String, Object> out = new LinkedHashMap<>();
        Findings.Series rc = series.get("rank_collapse/layer" + (depth - 1));
        if (rc != null && !rc.isEmpty()) {
            out.put("rankCollapseInit", rc.first());
            out.put("rankCollapseFinal", rc.last());
            out.put("collapsed", rc.first() < t.collapseThreshold());
        }
        List<Double> rho = perLayer(depth, series, "rank_collapse/layer%d");
        if (rho.stream().anyMatch(v -> v != null)) {
            out.put("rankCollapseInitPerLayer", rho);
        }
        List<Double> ratios = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            Double q = first(series.get("grad_norm/layer" + l + "/q"));
            Double k = first(series.get("grad_norm/layer" + l + "/k"));
            Double v = first(series.get("grad_norm/layer" + l + "/v"));
            ratios.add(q == null || k == null || v == null ? null : finite((q + k) / (2 * v)));
        }
        double[] finiteRatios = ratios.stream().filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
        if (finiteRatios.length > 0) {
            out.put("qkOverVGradInit", CellStats.median(finiteRatios));
            out.put("qkOverVGradInitPerLayer", ratios);
        }
        List<Double> ent = perLayer(depth, series, "attn_entropy/layer%d");
        double[] e = ent.stream().filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
        if (e.length > 0) {
            out.put("attnEntropyInit", Arrays.stream(e).average().orElse(Double.NaN));
        }
        List<Double> er = perLayer(depth, series, "attn_entropy_ratio/layer%d");
        double[] r = er.stream().filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
        if (r.length > 0) {
            out.put("attnEntropyRatioInitMin", Arrays.stream(r).min().orElse(Double.NaN));
            out.put("attnEntropyRatioInitPerLayer", er);
        }
        List<Double> hv = perLayer(depth, series, "head_variance/layer%d");
        double[] h = hv.stream().filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
        if (h.length > 0) {
            out.put("headVarianceInit", Arrays.stream(h).average().orElse(Double.NaN));
        }
        Findings.Series loss = series.get("eval_loss");
        if (loss != null && !loss.isEmpty()) {
            Map<String, Object> curve = new LinkedHashMap<>();
            curve.put("steps", Arrays.stream(loss.steps()).boxed().toList());
            curve.put("values", Arrays.stream(loss.values()).boxed().map(DeepFindings::finite).toList());
            out.put("evalLossCurve", curve);
        }
        return out;
    }

    private static List<Double> perLayer(int depth, Map<String, Findings.Series> series, String pattern) {
        List<Double> out = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            Double v = first(series.get(String.format(pattern, l)));
            out.add(v == null ? null : finite(v));
        }
        return out;
    }

    private static Double first(Findings.Series s) {
        return s == null || s.isEmpty() ? null : s.first();
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
