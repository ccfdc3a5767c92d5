package dev.tdlab.kit;

import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.CellAggregate;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.DeadLetter;
import dev.tdlab.contracts.events.ExperimentReport;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.events.RunStatus;
import dev.tdlab.contracts.events.RunVerdict;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.InitSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.TrainSpec;
import dev.tdlab.contracts.spec.Violation;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * For the native build (-Pnative): the contract records a service (de)serializes with its own
 * ObjectMapper on Kafka topics are not seen by Quarkus' REST scan, so they are registered for
 * reflection here (with their nested types) for every service that depends on the kit. No effect on
 * the JVM build.
 */
@RegisterForReflection(registerFullHierarchy = true, targets = {
        ExperimentSpec.class, RunSpec.class, DataSpec.class, ModelSpec.class, InitSpec.class, TrainSpec.class,
        Violation.class, RunPlanned.class, DatasetReady.class, Baselines.class, RunStatus.class, MetricBatch.class,
        MetricSeries.class, RunVerdict.class, ExperimentReport.class, CellAggregate.class, DeadLetter.class})
final class ContractReflection {
    private ContractReflection() {
    }
}
