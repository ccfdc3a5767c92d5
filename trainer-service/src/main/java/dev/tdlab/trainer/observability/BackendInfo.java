package dev.tdlab.trainer.observability;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The ND4J backend this trainer computes on (CPU, or CUDA under the {@code cuda} build), its devices
 * and their memory. Loaded once at start (so a missing native library or GPU shows at start, not at
 * the first run), logged, shown in {@code /q/health} by {@link BackendHealthCheck} and exported as
 * gauges by {@link TrainerMeters}.
 */
@ApplicationScoped
class BackendInfo {

    private static final Logger LOG = Logger.getLogger(BackendInfo.class);

    /** One compute device: the host for the CPU backend, one GPU each for CUDA. */
    public record Device(String name, long totalBytes, long freeBytes) {
    }

    private volatile String backend = "unloaded";
    private volatile String error;
    private volatile Map<String, Object> details = Map.of();
    private volatile List<Device> devices = List.of();

    void onStart(@Observes @Priority(1) StartupEvent ev) { // before the meters read it
        load();
        if (error == null) {
            LOG.infof("ND4J backend %s; devices %s; %s", backend, devices, details);
        } else {
            LOG.errorf("ND4J backend did not load: %s", error);
        }
    }

    /** Loads ND4J (first call) and reads its environment; safe to call again to refresh free memory. */
    public synchronized void load() {
        try {
            Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
            boolean cpu = Nd4j.getEnvironment().isCPU();
            String name = String.valueOf(env.getOrDefault("backend", cpu ? "CPU" : "CUDA"));
            List<Device> found = new ArrayList<>();
            if (cpu) {
                found.add(new Device("host", longOf(env.get("memory.available")), longOf(env.get("memory.free"))));
            } else {
                Object list = env.get("cuda.devicesInformation");
                if (list instanceof List<?> l) {
                    for (Object o : l) {
                        if (o instanceof Map<?, ?> m) {
                            found.add(new Device(String.valueOf(m.get("cuda.deviceName")),
                                    longOf(m.get("cuda.totalMemory")), longOf(m.get("cuda.freeMemory"))));
                        }
                    }
                }
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("backend", name);
            d.put("backendClass", Nd4j.getBackend().getClass().getName());
            d.put("blasVendor", String.valueOf(env.getOrDefault("blas.vendor", "?")));
            d.put("ompThreads", String.valueOf(env.getOrDefault("omp.threads", "?")));
            d.put("cores", String.valueOf(env.getOrDefault("cores", Runtime.getRuntime().availableProcessors())));
            d.put("jvmMaxHeapBytes", Runtime.getRuntime().maxMemory());
            d.put("offHeapMaxBytes", org.bytedeco.javacpp.Pointer.maxBytes());
            d.put("gpus", cpu ? 0 : found.size());
            this.backend = name;
            this.devices = List.copyOf(found);
            this.details = Map.copyOf(d);
            this.error = null;
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, CUDA errors: report, do not crash
            this.error = why(t);
        }
    }

    /** The exception and its causes, and what a CUDA build needs when it is the one that failed. */
    static String why(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 2000; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(sb.isEmpty() ? "" : " <- ").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(c.getMessage());
            }
        }
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, BackendInfo.class.getClassLoader());
            sb.append(" (CUDA build: needs an NVIDIA GPU with its driver, libcuda.so.1, and CUDA 11.x runtime libraries;"
                    + " the log line of Nd4jBackend names the library that failed)");
        } catch (ClassNotFoundException e) {
            // CPU build
        }
        return sb.toString();
    }

    /** CPU, CUDA, or "unloaded". */
    public String backend() {
        return backend;
    }

    /** Why the backend did not load, or null. */
    public String error() {
        return error;
    }

    public List<Device> devices() {
        return devices;
    }

    /** Backend name, class, BLAS, threads, memory limits. */
    public Map<String, Object> details() {
        return details;
    }

    private static long longOf(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        try {
            return o == null ? -1 : Long.parseLong(o.toString().trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
