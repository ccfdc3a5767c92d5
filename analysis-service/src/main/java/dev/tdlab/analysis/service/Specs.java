package dev.tdlab.analysis.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.contracts.spec.ExperimentSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The typed spec of an experiment, read from its {@code spec_json} column once and kept (a spec never changes after
 * the submission), so the verdict, the claims and a rerun do not parse the text again. At most {@value #MAX} are kept.
 */
@ApplicationScoped
class Specs {

    static final int MAX = 1000;

    @Inject
    ObjectMapper mapper;

    private final Map<String, ExperimentSpec> byExperiment = new ConcurrentHashMap<>();

    /** The spec as submitted (without defaults); an unreadable stored spec is an IllegalStateException. */
    public ExperimentSpec of(ExperimentEntity e) {
        ExperimentSpec s = byExperiment.get(e.id);
        if (s != null) {
            return s;
        }
        try {
            s = mapper.readValue(e.specJson, ExperimentSpec.class);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        if (byExperiment.size() >= MAX) {
            byExperiment.clear();
        }
        byExperiment.put(e.id, s);
        return s;
    }
}
