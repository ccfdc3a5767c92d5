package dev.tdlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.contracts.events.ExperimentStatus;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunVerdict;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code tdlab watch} knows about an experiment: its runs' steps, states, latest loss and verdicts,
 * brought up to date by the events of the live stream; the ETA; the progress line.
 */
final class Progress {

    /** What an event changed. */
    enum Change { NONE, PROGRESS, RUN_STATE, VERDICT, EXPERIMENT }

    static final class Run {
        final String id;
        String label = "";
        long seed;
        String status = RunState.PLANNED.name();
        int attempt;
        int attemptOfStatus;
        int step;
        int total;
        Double loss;
        RunVerdict verdict;

        Run(String id) {
            this.id = id;
        }

        boolean ended() {
            try {
                return RunState.valueOf(status).terminal();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    String id;
    String name = "";
    String status = ExperimentStatus.PLANNED.name();
    final Map<String, Run> runs = new LinkedHashMap<>();
    Double latestLoss;

    /** The experiment as {@code GET /experiments/{id}} returns it. */
    void snapshot(JsonNode e) {
        id = e.path("id").asText(id);
        name = e.path("name").asText(name);
        status = e.path("status").asText(status);
        for (JsonNode r : e.path("runs")) {
            Run run = runs.computeIfAbsent(r.path("id").asText(), Run::new);
            String cell = Tables.cell(r.path("cell"));
            run.label = "-".equals(cell) ? "" : cell;
            run.seed = r.path("seed").asLong();
            run.status = r.path("status").asText(run.status);
            run.attempt = r.path("attempt").asInt(run.attempt);
            run.attemptOfStatus = run.attempt;
            run.step = r.path("step").asInt(run.step);
            run.total = r.path("totalSteps").asInt(run.total);
            if (r.path("lastTrainLoss").isNumber()) {
                run.loss = r.path("lastTrainLoss").asDouble();
                latestLoss = run.loss;
            }
            if (r.path("verdict").isTextual() && run.verdict == null) {
                run.verdict = Api.JSON.convertValue(Map.of("runId", run.id, "verdict", r.path("verdict").asText(),
                        "finalEvalLoss", r.path("finalEvalLoss"), "gapToOptimum", r.path("gapToOptimum"),
                        "convergenceStep", r.path("convergenceStep")), RunVerdict.class);
            }
        }
    }

    /** Applies one event of the stream ({@code experiment}, {@code progress}, {@code status}, {@code metrics}, {@code verdict}). */
    Change apply(String event, JsonNode d) {
        switch (event) {
            case "experiment" -> {
                String s = d.path("status").asText(status);
                boolean changed = !s.equals(status);
                status = s;
                return changed ? Change.EXPERIMENT : Change.NONE;
            }
            case "progress", "status" -> {
                Run r = runs.computeIfAbsent(d.path("runId").asText(), Run::new);
                int attempt = d.path("attempt").asInt(r.attempt);
                if (attempt < r.attempt) {
                    return Change.NONE; // an earlier attempt's late news
                }
                if (attempt > r.attempt) {
                    r.step = 0; // a rerun starts over
                }
                r.attempt = attempt;
                r.step = Math.max(r.step, d.path("step").asInt(0));
                if (d.path("totalSteps").isNumber()) {
                    r.total = d.path("totalSteps").asInt();
                }
                if (d.path("lastTrainLoss").isNumber()) {
                    r.loss = d.path("lastTrainLoss").asDouble();
                    latestLoss = r.loss;
                }
                String s = d.path("status").asText(r.status);
                boolean changed = !s.equals(r.status) && (attempt > r.attemptOfStatus || rank(s) >= rank(r.status));
                if (changed) { // a replayed older state of the same attempt does not undo a newer one
                    r.status = s;
                    r.attemptOfStatus = attempt;
                }
                return changed ? Change.RUN_STATE : Change.PROGRESS;
            }
            case "metrics" -> {
                Run r = runs.computeIfAbsent(d.path("runId").asText(), Run::new);
                if (!r.ended()) {
                    r.step = Math.max(r.step, d.path("toStep").asInt(0));
                }
                JsonNode values = d.path("metrics").path("train_loss").path("values");
                if (values.isArray() && !values.isEmpty() && values.get(values.size() - 1).isNumber()) {
                    r.loss = values.get(values.size() - 1).asDouble();
                    latestLoss = r.loss;
                }
                return Change.PROGRESS;
            }
            case "verdict" -> {
                RunVerdict v = Api.JSON.convertValue(d, RunVerdict.class);
                Run r = runs.computeIfAbsent(v.runId(), Run::new);
                r.verdict = v;
                return Change.VERDICT;
            }
            default -> {
                return Change.NONE;
            }
        }
    }

    /** PLANNED, DATA_READY, RUNNING, then the end states. */
    static int rank(String status) {
        try {
            RunState s = RunState.valueOf(status);
            return s.terminal() ? 3 : s.ordinal();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    long stepsDone() {
        long s = 0;
        for (Run r : runs.values()) {
            s += r.ended() && RunState.FINISHED.name().equals(r.status) ? Math.max(r.step, r.total) : Math.min(r.step, r.total);
        }
        return s;
    }

    long stepsTotal() {
        long s = 0;
        for (Run r : runs.values()) {
            s += r.total;
        }
        return s;
    }

    int runsEnded() {
        int n = 0;
        for (Run r : runs.values()) {
            if (r.ended()) {
                n++;
            }
        }
        return n;
    }

    boolean terminal() {
        return !ExperimentStatus.PLANNED.name().equals(status) && !ExperimentStatus.RUNNING.name().equals(status);
    }

    /** {@code [#########.....]  42.0%  steps 1260/3000  runs 1/3  loss 0.5523  ETA 1m12s  RUNNING} */
    String line(Double etaSeconds, int width) {
        long done = stepsDone();
        long total = stepsTotal();
        double frac = total == 0 ? 0 : Math.min(1, (double) done / total);
        StringBuilder sb = new StringBuilder();
        sb.append(bar(frac, width)).append(' ')
                .append(String.format(Locale.ROOT, "%5.1f%%", 100 * frac))
                .append("  steps ").append(done).append('/').append(total)
                .append("  runs ").append(runsEnded()).append('/').append(runs.size());
        if (latestLoss != null) {
            sb.append(String.format(Locale.ROOT, "  loss %.4f", latestLoss));
        }
        sb.append("  ETA ").append(terminal() ? "0s" : etaSeconds == null ? "--" : duration(etaSeconds));
        sb.append("  ").append(status);
        return sb.toString();
    }

    /** One line about a run's verdict. */
    static String verdictLine(Run r) {
        RunVerdict v = r.verdict;
        StringBuilder sb = new StringBuilder("run ").append(Tables.shortId(r.id));
        if (!r.label.isEmpty()) {
            sb.append(' ').append(r.label);
        }
        sb.append(" seed ").append(r.seed).append(": ").append(v.verdict());
        if (v.finalEvalLoss() != null) {
            sb.append("  final loss ").append(Tables.num(v.finalEvalLoss()));
        }
        if (v.gapToOptimum() != null) {
            sb.append("  gap ").append(Tables.num(v.gapToOptimum()));
            if (v.gapLow() != null && v.gapHigh() != null) {
                sb.append(" [").append(Tables.num(v.gapLow())).append(", ").append(Tables.num(v.gapHigh())).append(']');
            }
        }
        if (v.convergenceStep() != null) {
            sb.append("  converged at step ").append(v.convergenceStep());
        }
        if (v.rateModel() != null && v.rate() != null) {
            sb.append("  rate ").append(Tables.rate(v.rateModel(), v.rate(), v.rateR2()));
        }
        if (v.stepsNearSaddle() != null && v.stepsNearSaddle() > 0) {
            sb.append("  near saddles ").append(v.stepsNearSaddle()).append(" steps");
        }
        return sb.toString();
    }

    static String bar(double frac, int width) {
        int full = (int) Math.round(Math.max(0, Math.min(1, frac)) * width);
        return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
    }

    /** 45s, 3m07s, 2h05m. */
    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /**
     * Time left from the pace of the last {@code window} of wall time: the steps done between the oldest
     * and the newest sample in it over the time between them. Unknown until the window spans at least
     * {@code minSpan} and 2 % of the total steps (the first steps carry the start-up, a poor guide).
     */
    static final class Eta {
        private final long windowNanos;
        private final long minSpanNanos;
        private final ArrayDeque<long[]> samples = new ArrayDeque<>();

        Eta(double windowSeconds, double minSpanSeconds) {
            this.windowNanos = (long) (windowSeconds * 1e9);
            this.minSpanNanos = (long) (minSpanSeconds * 1e9);
        }

        void sample(long nanos, long done) {
            if (!samples.isEmpty() && samples.peekLast()[1] > done) {
                samples.clear(); // the work went back (a rerun): start over
            }
            samples.addLast(new long[]{nanos, done});
            while (samples.size() > 2 && nanos - samples.peekFirst()[0] > windowNanos) {
                samples.removeFirst();
            }
        }

        /** Seconds left for {@code total} steps, or null while the pace is unknown. */
        Double secondsLeft(long total) {
            if (samples.size() < 2) {
                return null;
            }
            long[] a = samples.peekFirst();
            long[] b = samples.peekLast();
            long dt = b[0] - a[0];
            long ds = b[1] - a[1];
            if (dt < minSpanNanos || ds <= 0 || ds < total / 50) {
                return null; // too little progress yet (the first steps carry the start-up): no guess
            }
            double perSecond = ds / (dt / 1e9);
            return Math.max(0, total - b[1]) / perSecond;
        }
    }
}
