package dev.tdlab.deploy;

import dev.tdlab.contracts.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/ checked without a Docker engine: the compose files parse and hold together (healthchecks,
 * dependencies, every variable the services read, the topics), and the Dockerfiles are well formed
 * and match the modules they package (paths, ports, health, non-root user, the CUDA base).
 */
class DockerTest {

    static final Path DOCKER = Repo.path("docker");
    static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy", "service_completed_successfully");

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String file) {
        return (Map<String, Object>) new Yaml().load(Repo.read(DOCKER.resolve(file))); // SnakeYAML: anchors and << merges
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @Test
    void composeFileHoldsTogether() {
        Map<String, Map<String, Object>> services = new java.util.TreeMap<>();
        map(yaml("compose.yaml").get("services")).forEach((k, v) -> services.put(k, map(v)));
        assertTrue(services.keySet().containsAll(Set.of("kafka", "postgres", "data-gen", "trainer", "analysis")), services.keySet().toString());
        for (var e : services.entrySet()) {
            String name = e.getKey();
            Map<String, Object> s = e.getValue();
            Object hc = map(s.get("healthcheck")).get("test");
            assertNotNull(hc, name + " has a healthcheck");
            assertFalse(hc.toString().isBlank(), name);
            for (var dep : map(s.get("depends_on")).entrySet()) {
                assertTrue(services.containsKey(dep.getKey()), name + " depends on unknown " + dep.getKey());
                String cond = String.valueOf(map(dep.getValue()).get("condition"));
                assertTrue(CONDITIONS.contains(cond), name + ": condition " + cond);
                if ("service_healthy".equals(cond)) {
                    assertNotNull(map(services.get(dep.getKey()).get("healthcheck")).get("test"), dep.getKey() + " has a healthcheck");
                }
            }
        }
        // Kafka in KRaft mode, its listener reachable by the services
        Map<String, Object> kafkaEnv = map(services.get("kafka").get("environment"));
        assertTrue(String.valueOf(kafkaEnv.get("KAFKA_PROCESS_ROLES")).contains("controller"), "KRaft: broker and controller");
        assertTrue(String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS")).contains("://kafka:9092"));
        Map<String, Object> pgEnv = map(services.get("postgres").get("environment"));

        for (var svc : Repo.SERVICES.entrySet()) {
            Map<String, Object> s = services.get(svc.getKey());
            String module = svc.getValue();
            Map<String, Object> build = map(s.get("build"));
            Path context = DOCKER.resolve(String.valueOf(build.get("context"))).normalize();
            assertEquals(Repo.root(), context, svc.getKey() + ": build context is the repository root");
            Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
            assertTrue(Files.isRegularFile(dockerfile), dockerfile.toString());
            assertTrue(Repo.read(dockerfile).contains(module + "/target/quarkus-app"), dockerfile + " packages " + module);

            Map<String, Object> env = map(s.get("environment"));
            for (String v : Repo.envVars(module)) {
                assertTrue(env.containsKey(v), svc.getKey() + ": " + v + " (read by " + module + ") is not set");
            }
            assertEquals("kafka:9092", env.get("TDLAB_KAFKA"));
            URI jdbc = URI.create(String.valueOf(env.get("TDLAB_JDBC_URL")).substring("jdbc:".length()));
            assertEquals("postgres", jdbc.getHost());
            assertEquals("/" + pgEnv.get("POSTGRES_DB"), jdbc.getPath());
            assertEquals(pgEnv.get("POSTGRES_USER"), env.get("TDLAB_DB_USER"));
            assertEquals(pgEnv.get("POSTGRES_PASSWORD"), env.get("TDLAB_DB_PASSWORD"));
            assertEquals("http://data-gen:" + Repo.httpPort("data-gen-service"), env.get("TDLAB_DATAGEN_URL"));
            int port = Repo.httpPort(module);
            assertTrue(String.valueOf(s.get("ports")).contains(":" + port), svc.getKey() + " publishes " + port);
            assertTrue(String.valueOf(map(s.get("healthcheck")).get("test")).contains(":" + port + "/q/health/ready"),
                    svc.getKey() + ": healthcheck on its readiness endpoint");
            assertTrue(String.valueOf(map(s.get("depends_on")).keySet()).contains("postgres"));
        }
        // the topic init creates every topic of contracts' Topics and its .dlq
        String init = String.valueOf(services.get("kafka-topics").get("command"));
        for (String t : Topics.ALL) {
            assertTrue(init.contains(" " + t + " ") || init.contains(" " + t + ";"), "topic " + t + " created");
        }
        assertTrue(init.contains("\"$$t\" \"$$t" + Topics.DLQ_SUFFIX + "\""), "dead-letter topics created");
    }

    @Test
    void gpuComposeOverrideReservesAGpuForTheTrainerOnly() {
        Map<String, Object> services = map(yaml("compose.gpu.yaml").get("services"));
        assertEquals(Set.of("trainer"), services.keySet());
        Map<String, Object> trainer = map(services.get("trainer"));
        String devices = String.valueOf(map(map(map(trainer.get("deploy")).get("resources")).get("reservations")).get("devices"));
        assertTrue(devices.contains("driver=nvidia") && devices.contains("gpu"), devices);
        assertTrue(String.valueOf(map(trainer.get("build")).get("args")).contains("nvidia/cuda:11."));
    }

    /** One instruction per logical line (continuations joined), comments dropped. */
    static List<String[]> instructions(Path dockerfile) {
        List<String[]> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Repo.read(dockerfile).split("\n")) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && cur.isEmpty())) {
                continue;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            cur.append(t);
            String ins = cur.toString().strip();
            cur.setLength(0);
            if (!ins.isEmpty()) {
                String[] kv = ins.split("\\s+", 2);
                out.add(new String[] {kv[0].toUpperCase(), kv.length > 1 ? kv[1] : ""});
            }
        }
        return out;
    }

    static final Set<String> KNOWN = Set.of("FROM", "ARG", "ENV", "RUN", "COPY", "ADD", "WORKDIR", "USER", "EXPOSE",
            "HEALTHCHECK", "ENTRYPOINT", "CMD", "LABEL", "VOLUME", "SHELL", "STOPSIGNAL");

    @ParameterizedTest
    @ValueSource(strings = {"data-gen.Dockerfile", "analysis.Dockerfile", "trainer.Dockerfile",
            "data-gen.native.Dockerfile", "analysis.native.Dockerfile"})
    void dockerfileIsWellFormedAndMatchesItsModule(String file) {
        Path df = DOCKER.resolve(file);
        String service = file.substring(0, file.indexOf('.'));
        String module = Repo.SERVICES.get(service);
        boolean nativeImage = file.contains(".native.");
        List<String[]> ins = instructions(df);
        int i = 0;
        while (i < ins.size() && "ARG".equals(ins.get(i)[0])) {
            i++;
        }
        assertEquals("FROM", ins.get(i)[0], file + ": the first instruction after ARGs is FROM");
        String user = null;
        boolean healthcheck = false;
        boolean entrypoint = false;
        int exposed = -1;
        for (String[] in : ins) {
            assertTrue(KNOWN.contains(in[0]), file + ": unknown instruction " + in[0]);
            switch (in[0]) {
                case "USER" -> user = in[1].strip();
                case "EXPOSE" -> exposed = Integer.parseInt(in[1].strip().split("/")[0]);
                case "HEALTHCHECK" -> {
                    healthcheck = true;
                    assertTrue(in[1].contains("localhost:" + Repo.httpPort(module) + "/q/health/ready"), file + ": " + in[1]);
                }
                case "ENTRYPOINT" -> {
                    entrypoint = true;
                    assertTrue(in[1].startsWith("[") && in[1].endsWith("]"), file + ": exec-form ENTRYPOINT (signals reach the JVM)");
                }
                case "COPY" -> {
                    if (!in[1].contains("--from=")) {
                        String[] parts = in[1].replaceAll("--chown=\\S+", "").strip().split("\\s+");
                        for (int k = 0; k < parts.length - 1; k++) {
                            assertTrue(parts[k].startsWith(module + "/target/"), file + ": COPY " + parts[k] + " is not " + module + "'s build output");
                        }
                    }
                }
                default -> { }
            }
        }
        assertNotNull(user, file + ": runs as a non-root USER");
        assertFalse(Set.of("0", "root").contains(user), file + ": USER " + user);
        assertEquals(Repo.httpPort(module), exposed, file + ": EXPOSE = quarkus.http.port of " + module);
        assertTrue(entrypoint, file + ": ENTRYPOINT");
        assertTrue(nativeImage || healthcheck, file + ": HEALTHCHECK");
        assertTrue(Files.isRegularFile(Repo.path(module + "/pom.xml")), module);

        // the per-Dockerfile ignore file sends only the build output into the context
        Path ignore = DOCKER.resolve(file + ".dockerignore");
        assertTrue(Files.isRegularFile(ignore), ignore + " (else the whole repository is sent to the builder)");
        String ig = Repo.read(ignore);
        assertTrue(ig.lines().anyMatch("*"::equals) && ig.contains("!" + module + "/target/"), ignore.toString());
    }

    @Test
    void trainerImageIsBuiltOnTheCudaRuntimeOfTheCudaProfile() {
        String df = Repo.read(DOCKER.resolve("trainer.Dockerfile"));
        Matcher base = Pattern.compile("ARG BASE_IMAGE=nvidia/cuda:(\\d+)\\.(\\d+)\\.\\d+-runtime-\\S+").matcher(df);
        assertTrue(base.find(), "default base: NVIDIA's CUDA runtime image");
        Matcher backend = Pattern.compile("<nd4j.backend>nd4j-cuda-(\\d+)\\.(\\d+)</nd4j.backend>")
                .matcher(Repo.read(Repo.path("pom.xml")));
        assertTrue(backend.find(), "root pom: profile cuda selects nd4j-cuda-X.Y");
        assertEquals(backend.group(1), base.group(1), "same CUDA major version (library sonames)");
        assertTrue(Integer.parseInt(base.group(2)) >= Integer.parseInt(backend.group(2)), "runtime minor >= build minor");
        assertTrue(Repo.read(Repo.path("trainer-service/pom.xml")).contains("<artifactId>${nd4j.backend}</artifactId>"),
                "the trainer takes its ND4J backend from the profile");
    }
}
