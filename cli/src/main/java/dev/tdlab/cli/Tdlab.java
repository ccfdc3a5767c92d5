package dev.tdlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code tdlab}: the command line client of the analysis-service. Exit codes: 0 ok, 1 the API answered
 * with an error (its problem+json detail is printed) or could not be reached, 2 bad usage.
 */
@Command(name = "tdlab", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, versionProvider = Tdlab.Version.class,
        description = "Submit, follow and read tdlab experiments through the analysis-service REST API.",
        subcommands = {Commands.Submit.class, Commands.ListExperiments.class, Commands.Watch.class,
                Commands.VerdictsTable.class, Commands.Export.class, Commands.Figures.class, Commands.Cancel.class, Commands.Rerun.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:the API answered with an error (its detail is printed) or could not be reached",
                "2:bad usage"},
        footerHeading = "%nEnvironment:%n",
        footer = {"  TDLAB_URL    base URL when there is no --url",
                "  TDLAB_TOKEN  bearer token when there is no --token; without either, the",
                "               contents of .lab/token here or in the nearest folder above"})
public final class Tdlab implements Runnable {

    static final String DEFAULT_URL = "http://localhost:8080";
    static final int API_ERROR = 1;
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "analysis-service base URL; default $TDLAB_URL, else " + DEFAULT_URL)
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "bearer token sent as Authorization; default $TDLAB_TOKEN, else the file .lab/token")
    String token;

    /** The process environment (replaced in tests). */
    Map<String, String> env = System.getenv();
    /** Where .lab/token is looked for first (replaced in tests). */
    Path cwd = Path.of("").toAbsolutePath();
    /** Whether stdout is a terminal: a redrawn progress bar, else one line per update. */
    boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    /** Nanosecond clock (replaced in tests). */
    java.util.function.LongSupplier clock = System::nanoTime;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed (see tdlab --help)");
    }

    Api api() {
        return new Api(resolvedUrl(), resolvedToken());
    }

    String resolvedUrl() {
        if (url != null && !url.isBlank()) {
            return url;
        }
        String e = env.get("TDLAB_URL");
        return e != null && !e.isBlank() ? e : DEFAULT_URL;
    }

    /** --token, else $TDLAB_TOKEN, else the first .lab/token from the working directory upwards; null if none. */
    String resolvedToken() {
        if (token != null && !token.isBlank()) {
            return token.trim();
        }
        String e = env.get("TDLAB_TOKEN");
        if (e != null && !e.isBlank()) {
            return e.trim();
        }
        for (Path d = cwd; d != null; d = d.getParent()) {
            Path f = d.resolve(".lab").resolve("token");
            if (Files.isRegularFile(f)) {
                try {
                    String t = Files.readString(f, StandardCharsets.UTF_8).trim();
                    return t.isEmpty() ? null : t;
                } catch (IOException ex) {
                    throw new Api.ApiException(0, "Cannot read " + f, ex.getMessage(), java.util.List.of());
                }
            }
        }
        return null;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The command line with the CLI's error handling: API errors → 1 with the problem printed, usage → 2. */
    static CommandLine commandLine(Tdlab root) {
        CommandLine cl = new CommandLine(root);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof Api.ApiException a) {
                err.println(a.describe());
            } else if (ex instanceof IllegalArgumentException) {
                err.println("error: " + ex.getMessage());
                err.flush();
                return USAGE;
            } else {
                err.println("error: " + ex);
            }
            err.flush();
            return API_ERROR;
        });
        return cl;
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine(new Tdlab());
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        System.exit(cl.execute(args));
    }

    /** The version in the jar's manifest (set by the build), else "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Tdlab.class.getPackage().getImplementationVersion();
            return new String[]{"tdlab " + (v == null ? "dev" : v)};
        }
    }
}
