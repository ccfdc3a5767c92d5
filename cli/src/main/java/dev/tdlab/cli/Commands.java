package dev.tdlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.contracts.events.RunState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/** The subcommands of {@code tdlab}. */
final class Commands {

    static final String EXPERIMENTS = Api.PREFIX + "/experiments";

    private Commands() {
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = {"Submit an experiment: a spec file (YAML or JSON; - reads standard input) or a"
            + " template (GET /api/v1/templates lists them), with --set overrides.",
            "Prints the experiment id on standard output."},
            footer = {"", "Examples:", "  tdlab submit examples/reference.yaml --set train.steps=200 --set seeds=[0]",
                    "  tdlab submit --template local-to-global --set sweep.data.p=[0.2,0.8] --watch"})
    static final class Submit implements Callable<Integer> {
        @ParentCommand
        Tdlab root;
        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "the spec, YAML or JSON (- for standard input)")
        String file;

        @Option(names = "--template", paramLabel = "NAME", description = "submit this template instead of a file")
        String template;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "override one field by its dotted path, e.g. train.steps=100, seeds=[0,1], "
                        + "model.init.std=0.02, sweep.data.p=[0.1,0.9] (repeatable)")
        List<String> sets = new ArrayList<>();

        @Option(names = "--watch", description = "then follow it like tdlab watch")
        boolean watch;

        @Override
        public Integer call() throws IOException {
            if ((file == null) == (template == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give a spec FILE or --template NAME (one of the two)");
            }
            Api api = root.api();
            JsonNode created;
            if (template != null) {
                ObjectNode overrides = Overrides.apply(null, sets);
                created = api.post(Api.query(EXPERIMENTS, Api.params("template", template)), "application/json",
                        overrides.toString());
            } else {
                String text = read(file);
                boolean json = file.endsWith(".json") || ("-".equals(file) && text.stripLeading().startsWith("{"));
                created = sets.isEmpty()
                        ? api.post(EXPERIMENTS, json ? "application/json" : "application/yaml", text)
                        : api.post(EXPERIMENTS, "application/json", Overrides.apply(Overrides.read(text), sets).toString());
            }
            String id = created.path("id").asText();
            root.out().println(id);
            root.out().flush();
            root.err().println("submitted: " + created.path("runCount").asInt() + " runs, "
                    + created.path("status").asText() + " (follow it: tdlab watch " + id + ")");
            root.err().flush();
            return watch ? Watch.follow(root, id, Watch.Mode.AUTO, 1.0, true) : 0;
        }

        private String read(String f) throws IOException {
            if ("-".equals(f)) {
                return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try {
                return Files.readString(Path.of(f), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + f);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "List experiments, newest first.")
    static final class ListExperiments implements Callable<Integer> {
        @ParentCommand
        Tdlab root;

        @Option(names = "--status", paramLabel = "STATUS", description = "PLANNED, RUNNING, FINISHED, FAILED or CANCELLED")
        String status;
        @Option(names = "--name", paramLabel = "TEXT", description = "names containing this")
        String name;
        @Option(names = "--page", defaultValue = "0", description = "page, from 0 (default 0)")
        int page;
        @Option(names = "--size", defaultValue = "20", description = "experiments per page, 1 to 200 (default 20)")
        int size;
        @Option(names = "--json", description = "print the API's JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            JsonNode p = root.api().get(Api.query(EXPERIMENTS,
                    Api.params("page", page, "size", size, "status", status, "name", name)));
            PrintWriter out = root.out();
            if (json) {
                out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(p));
            } else {
                out.print(Tables.experiments(p));
                long total = p.path("total").asLong();
                if (total > (long) (page + 1) * size) {
                    out.println("(" + total + " in all; next: --page " + (page + 1) + ")");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = {"Follow an experiment live (GET /experiments/{id}/stream) until it ends:"
            + " steps done/total, latest loss, ETA, runs finished, and each verdict as it is decided.",
            "On a terminal the progress bar is redrawn in place; otherwise one line per update."})
    static final class Watch implements Callable<Integer> {
        enum Mode { AUTO, BAR, LINES }

        @ParentCommand
        Tdlab root;

        @Parameters(paramLabel = "ID", description = "experiment id")
        String id;
        @Option(names = "--progress", defaultValue = "AUTO", paramLabel = "MODE", converter = ModeConverter.class,
                description = "bar (redrawn in place), lines (one per update) or auto: bar on a terminal (default auto)")
        Mode mode;
        @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS",
                description = "least time between two progress lines in lines mode (default 1)")
        double interval;
        @Option(names = "--no-table", description = "do not print the verdicts table at the end")
        boolean noTable;

        @Override
        public Integer call() {
            return follow(root, id, mode, interval, !noTable);
        }

        /** Follows until the experiment has ended (reconnecting with Last-Event-ID when the stream drops). */
        static int follow(Tdlab root, String id, Mode mode, double interval, boolean table) {
            Api api = root.api();
            String path = EXPERIMENTS + "/" + id;
            Progress p = new Progress();
            p.snapshot(api.get(path));
            boolean bar = mode == Mode.BAR || (mode == Mode.AUTO && root.tty);
            Renderer r = new Renderer(root.out(), bar, bar ? 0.1 : interval, root.clock);
            Progress.Eta eta = new Progress.Eta(120, 2);
            eta.sample(root.clock.getAsLong(), p.stepsDone());
            r.progress(p, eta, true);
            AtomicReference<String> last = new AtomicReference<>();
            int failures = 0;
            while (!p.terminal()) {
                try {
                    api.stream(path + "/stream", last.get(), e -> {
                        if (e.id() != null) {
                            last.set(e.id());
                        }
                        JsonNode d;
                        try {
                            d = Api.JSON.readTree(e.data());
                        } catch (IOException ex) {
                            return true; // not ours to judge: skip it
                        }
                        Progress.Change c = p.apply(e.name(), d);
                        if (c == Progress.Change.VERDICT) {
                            r.message(Progress.verdictLine(p.runs.get(d.path("runId").asText())));
                        } else if (c == Progress.Change.RUN_STATE) {
                            Progress.Run run = p.runs.get(d.path("runId").asText());
                            String error = d.path("error").isTextual() ? "  " + d.path("error").asText() : "";
                            r.message("run " + Tables.shortId(run.id) + (run.label.isEmpty() ? "" : " " + run.label)
                                    + " seed " + run.seed + ": " + run.status + error);
                        } else if (c == Progress.Change.EXPERIMENT && (p.terminal() || d.has("rerunRuns"))) {
                            p.snapshot(api.get(path)); // an old end replayed, or a rerun: ask what holds now
                        }
                        eta.sample(root.clock.getAsLong(), p.stepsDone());
                        r.progress(p, eta, c != Progress.Change.PROGRESS && c != Progress.Change.NONE);
                        return !p.terminal();
                    });
                    failures = 0;
                } catch (Api.ApiException ex) {
                    if (ex.status != 0 || ++failures > 5) {
                        throw ex;
                    }
                }
                if (!p.terminal()) {
                    sleep(failures == 0 ? 500 : 1000L * failures);
                }
            }
            r.progress(p, eta, true);
            r.end();
            PrintWriter out = root.out();
            out.println("experiment " + p.id + " " + p.status + ": " + p.runsEnded() + "/" + p.runs.size()
                    + " runs ended" + summary(p));
            if (table) {
                out.print(Tables.verdicts(api.get(path)));
            }
            out.flush();
            return 0;
        }

        private static String summary(Progress p) {
            java.util.Map<String, Integer> n = new java.util.TreeMap<>();
            for (Progress.Run r : p.runs.values()) {
                String k = r.verdict != null ? r.verdict.verdict().name()
                        : RunState.FINISHED.name().equals(r.status) ? "no verdict" : r.status;
                n.merge(k, 1, Integer::sum);
            }
            StringBuilder sb = new StringBuilder();
            n.forEach((k, v) -> sb.append(sb.length() == 0 ? " (" : ", ").append(k).append(' ').append(v));
            return sb.length() == 0 ? "" : sb.append(')').toString();
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Api.ApiException(0, "Interrupted", "interrupted", List.of());
            }
        }
    }

    /** bar / lines / auto, any case. */
    static final class ModeConverter implements CommandLine.ITypeConverter<Watch.Mode> {
        @Override
        public Watch.Mode convert(String value) {
            try {
                return Watch.Mode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not one of bar, lines, auto");
            }
        }
    }

    /** Prints progress: in place on a terminal, else a line at most every {@code interval} seconds. */
    static final class Renderer {
        private final PrintWriter out;
        private final boolean bar;
        private final long intervalNanos;
        private final LongSupplier clock;
        private long lastPrint = Long.MIN_VALUE;
        private String lastLine = "";
        private boolean drawn;

        Renderer(PrintWriter out, boolean bar, double intervalSeconds, LongSupplier clock) {
            this.out = out;
            this.bar = bar;
            this.intervalNanos = (long) (intervalSeconds * 1e9);
            this.clock = clock;
        }

        /** A line of its own (a verdict, a run's new state); on a terminal it goes above the bar. */
        void message(String m) {
            if (bar && drawn) {
                out.print("\r\033[K");
                drawn = false;
            }
            out.println(m);
            out.flush();
        }

        void progress(Progress p, Progress.Eta eta, boolean force) {
            long now = clock.getAsLong();
            if (!force && lastPrint != Long.MIN_VALUE && now - lastPrint < intervalNanos) {
                return;
            }
            String line = p.line(eta.secondsLeft(p.stepsTotal()), 30);
            if (line.equals(lastLine) && (drawn || !bar)) {
                return; // nothing new (a terminal's bar is drawn again after a message erased it)
            }
            if (bar) {
                out.print("\r" + line + "\033[K");
                drawn = true;
            } else {
                out.println(line);
            }
            out.flush();
            lastPrint = now;
            lastLine = line;
        }

        void end() {
            if (bar && drawn) {
                out.println();
                out.flush();
                drawn = false;
            }
        }
    }

    @Command(name = "verdicts", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "The runs of an experiment: run, cell, seed, verdict, final loss, gap to the"
            + " optimum with its 95 %% interval, convergence step, rate of approach, steps near saddles.")
    static final class VerdictsTable implements Callable<Integer> {
        @ParentCommand
        Tdlab root;

        @Parameters(paramLabel = "ID", description = "experiment id")
        String id;
        @Option(names = "--json", description = "print the runs as the API's JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            JsonNode e = root.api().get(EXPERIMENTS + "/" + id);
            PrintWriter out = root.out();
            if (json) {
                out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(e.path("runs")));
            } else {
                out.println("experiment " + e.path("id").asText() + "  " + e.path("name").asText() + "  "
                        + e.path("status").asText());
                out.print(Tables.verdicts(e));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "The experiment's report as CSV (one row per run), JSON or HTML, or every curve in long format (curves-csv: experiment, run, cell parameters, seed, metric, step, value), to standard output or a file.")
    static final class Export implements Callable<Integer> {
        enum Format {
            csv("report.csv", "text/csv"), json("report.json", "application/json"), html("report", "text/html"),
            curves_csv("curves.csv", "text/csv");

            final String suffix;
            final String accept;

            Format(String suffix, String accept) {
                this.suffix = suffix;
                this.accept = accept;
            }

            String label() {
                return name().replace('_', '-');
            }
        }

        /** {@code curves-csv} on the command line for the constant curves_csv. */
        static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
            @Override
            public Format convert(String value) {
                for (Format f : Format.values()) {
                    if (f.label().equals(value)) {
                        return f;
                    }
                }
                throw new CommandLine.TypeConversionException("expected one of csv, json, html, curves-csv but was '"
                        + value + "'");
            }
        }

        @ParentCommand
        Tdlab root;

        @Parameters(paramLabel = "ID", description = "experiment id")
        String id;
        @Option(names = "--format", defaultValue = "csv", paramLabel = "FORMAT", converter = FormatConverter.class,
                description = "csv, json, html or curves-csv (default csv)")
        Format format;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write here instead of standard output")
        Path output;

        @Override
        public Integer call() throws IOException {
            String suffix = format.suffix;
            String accept = format.accept;
            byte[] body = root.api().bytes(EXPERIMENTS + "/" + id + "/" + suffix, accept);
            if (output != null) {
                Path parent = output.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.write(output, body);
                root.err().println("wrote " + body.length + " bytes to " + output);
                root.err().flush();
            } else {
                root.out().print(new String(body, StandardCharsets.UTF_8));
                root.out().flush();
            }
            return 0;
        }
    }

    @Command(name = "figures", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Write every"
            + " figure of the experiment (loss curves and excess loss per cell, phase diagrams, the template's claim"
            + " figures), rendered by the server, into a folder as NAME.svg and/or NAME.png.")
    static final class Figures implements Callable<Integer> {
        enum Format { png, svg, both }

        @ParentCommand
        Tdlab root;

        @Parameters(paramLabel = "ID", description = "experiment id")
        String id;
        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "folder to write into (made if missing)")
        Path output;
        @Option(names = "--format", defaultValue = "both", paramLabel = "FORMAT", description = "png, svg or both (default both)")
        Format format;

        @Override
        public Integer call() throws IOException {
            JsonNode list = root.api().get(EXPERIMENTS + "/" + id + "/figures");
            Files.createDirectories(output);
            int files = 0;
            for (JsonNode f : list.path("figures")) {
                String name = f.path("name").asText();
                if (!name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) { // a file name in DIR, never a path out of it
                    throw new Api.ApiException(0, "Unexpected figure name from the server", "'" + name + "'", List.of());
                }
                for (String ext : format == Format.both ? List.of("svg", "png") : List.of(format.name())) {
                    byte[] body = root.api().bytes(EXPERIMENTS + "/" + id + "/figures/" + name + "." + ext,
                            ext.equals("svg") ? "image/svg+xml" : "image/png");
                    Path file = output.resolve(name + "." + ext);
                    Files.write(file, body);
                    root.out().println(file + "  " + f.path("title").asText());
                    files++;
                }
            }
            root.out().flush();
            root.err().println("wrote " + files + " files to " + output);
            root.err().flush();
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Cancel an experiment: it and its unfinished runs become CANCELLED.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand
        Tdlab root;

        @Parameters(paramLabel = "ID", description = "experiment id")
        String id;

        @Override
        public Integer call() {
            JsonNode r = root.api().delete(EXPERIMENTS + "/" + id);
            root.out().println(r.path("cancelled").asBoolean()
                    ? "experiment " + id + ": " + r.path("status").asText()
                    : "experiment " + id + " had ended already (" + r.path("status").asText() + "): nothing to cancel");
            root.out().flush();
            return 0;
        }
    }

    @Command(name = "rerun", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, description = "Plan an experiment's FAILED and CANCELLED runs again (same run ids: no duplicates).")
    static final class Rerun implements Callable<Integer> {
        @ParentCommand
        Tdlab root;

        @Parameters(paramLabel = "ID", description = "experiment id")
        String id;

        @Override
        public Integer call() {
            JsonNode r = root.api().post(EXPERIMENTS + "/" + id + "/rerun", "application/json", "");
            root.out().println("experiment " + id + ": " + r.path("rerunRuns").asInt() + " runs planned again, status "
                    + r.path("status").asText());
            root.out().flush();
            return 0;
        }
    }
}
