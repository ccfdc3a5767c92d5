package dev.tdlab.trainer.observability;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: UP when ND4J's backend loaded. Its details (in {@code /q/health} and
 * {@code /q/health/ready}) name the backend (CPU or CUDA), each device with its total and free memory,
 * BLAS vendor, OpenMP threads and memory limits. A GPU pod whose CUDA libraries or driver are missing
 * stays not-ready, with the reason.
 */
@Readiness
@ApplicationScoped
class BackendHealthCheck implements HealthCheck {

    @Inject
    BackendInfo info;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("nd4j-backend").withData("backend", info.backend());
        if (info.error() != null) {
            return b.down().withData("error", info.error()).build();
        }
        info.details().forEach((k, v) -> b.withData(k, String.valueOf(v)));
        int i = 0;
        for (BackendInfo.Device d : info.devices()) {
            b.withData("device" + i + ".name", d.name());
            b.withData("device" + i + ".totalBytes", d.totalBytes());
            b.withData("device" + i + ".freeBytes", d.freeBytes());
            i++;
        }
        return b.up().build();
    }
}
