package dev.tdlab.analysis.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.mapping.ExperimentView;
import dev.tdlab.analysis.mapping.Responses;
import dev.tdlab.analysis.mapping.RunView;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.events.ExperimentStatus;
import dev.tdlab.contracts.spec.ExperimentSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import java.util.List;

/**
 * What the API does with experiments: submit (planned by {@link Planning}, admitted against the tenant's quota and
 * written by {@link Admission}), cancel and rerun (each in one transaction by {@link Planning}); after each,
 * {@link OutboxCommitted} has the relay publish its events at once (in the background), and the scheduled relay
 * retries if Kafka is away,
 * and the experiment and run views.
 */
@ApplicationScoped
public class Experiments {

    @Inject
    Planning planning;
    @Inject
    Admission admission;
    @Inject
    Event<OutboxCommitted> committed;
    @Inject
    ExperimentStore store;
    @Inject
    Specs specs;
    @Inject
    Views views;
    @Inject
    CellAggregates aggregates;

    /** Plans a validated spec for a tenant (429 when it has too many runs in flight). */
    public Responses.Submitted submit(ExperimentSpec spec, JsonNode specTree, String tenant) {
        Planning.Plan p = planning.plan(spec, specTree, tenant); // outside any transaction
        admission.admit(p);                                        // 429 here; written and committed when it returns
        committed.fire(new OutboxCommitted(p.id()));
        return new Responses.Submitted(p.id(), ExperimentStatus.PLANNED.name(), p.runCount());
    }

    /** Cancels {@code e} (read by the caller before): it and its unfinished runs become CANCELLED. */
    public Responses.Cancelled cancel(ExperimentEntity e) {
        boolean changed = planning.cancel(e.id);
        committed.fire(new OutboxCommitted(e.id));
        // e is the caller's copy from before (the cancel committed in its own transaction)
        return new Responses.Cancelled(e.id, changed ? ExperimentStatus.CANCELLED.name() : e.status, changed);
    }

    /** Plans the FAILED and CANCELLED runs of {@code e} again; idempotent. */
    public Responses.Rerun rerun(ExperimentEntity e) {
        int n = planning.rerun(e.id);
        committed.fire(new OutboxCommitted(e.id));
        return new Responses.Rerun(e.id, n, n > 0 ? ExperimentStatus.RUNNING.name() : e.status);
    }

    /** A page of experiments, newest first; only the tenant's when {@code tenantId} is given. */
    public Responses.ExperimentPage list(int page, int size, String status, String nameContains, String tenantId) {
        ExperimentStore.Listing l = store.list(page, size, status, nameContains, tenantId);
        return new Responses.ExperimentPage(l.items().stream().map(views::summary).toList(), page, size, l.total());
    }

    public ExperimentView view(ExperimentEntity e) {
        // cells and claims from the cache: only the cells whose runs changed since the last read are recomputed
        return views.experiment(e, store.runs(e.id), aggregates.cells(e), aggregates.claims(e));
    }

    public RunView run(RunEntity r) {
        return views.run(r);
    }

    public List<RunEntity> runs(String experimentId) {
        return store.runs(experimentId);
    }
}
