package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.security.QuotaConfig;
import dev.tdlab.analysis.security.Quotas;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * Every shipped template, at its default size and at the paper's ({@code scale: paper}), fits a tenant's default quotas:
 * a new tenant can run them all (the largest, infinite-limits at paper scale, asks 2.0·10¹² of the 10¹³ steps × parameters).
 */
class TemplateQuotasTest {

    @Test
    void templatesFitTheDefaultQuotas() throws Exception {
        Quotas.Limits defaults = new Quotas.Limits(SpecFuzzTest.def(QuotaConfig.class, "stepParametersPerExperiment"),
                (int) SpecFuzzTest.def(QuotaConfig.class, "runsPerExperiment"),
                (int) SpecFuzzTest.def(QuotaConfig.class, "concurrentRuns"), SpecFuzzTest.def(QuotaConfig.class, "datasetSize"));
        for (String name : Templates.ALL.keySet()) {
            SpecParser.Parsed p = SpecParser.parseTree(Templates.resolve(name, new ObjectMapper().createObjectNode()));
            Quotas.Demand d = Quotas.demand(p.spec());
            assertDoesNotThrow(() -> Quotas.check(defaults, p.spec()), name + " asks " + d);
            SpecParser.Parsed paper = SpecParser.parseTree(Templates.resolve(name,
                    new ObjectMapper().createObjectNode().put("scale", "paper")));
            assertDoesNotThrow(() -> Quotas.check(defaults, paper.spec()), name + " at paper scale asks "
                    + Quotas.demand(paper.spec()));
        }
    }
}
