package dev.tdlab.analysis.security;

import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.RunEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Looks up experiments and runs as the caller may see them: another tenant's id answers exactly like an id that does
 * not exist (404 "no experiment X"), so ids reveal nothing. Every resource reads through here.
 */
@ApplicationScoped
public class Access {

    @Inject
    Caller caller;

    /** The experiment, if the caller may see it; else 404. */
    public ExperimentEntity experiment(String id) {
        ExperimentEntity e = id == null ? null : ExperimentEntity.findById(id);
        if (e == null || !caller.sees(e.tenantId)) {
            throw ProblemException.notFound("no experiment " + id);
        }
        return e;
    }

    /** The run, if the caller may see its experiment; else 404. */
    public RunEntity run(String id) {
        RunEntity r = id == null ? null : RunEntity.findById(id);
        if (r == null) {
            throw ProblemException.notFound("no run " + id);
        }
        ExperimentEntity e = ExperimentEntity.findById(r.experimentId);
        if (e == null || !caller.sees(e.tenantId)) {
            throw ProblemException.notFound("no run " + id);
        }
        return r;
    }
}
