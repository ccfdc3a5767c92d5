package dev.tdlab.analysis.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tdlab.contracts.spec.Violation;

import java.util.List;

/**
 * RFC 9457 problem details, with the bad fields listed. A refused quota or limit also names it: {@code quota} (or the
 * limit's config key), its {@code limit}, and what the request asked for ({@code requested}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<Violation> violations,
                      String quota, Long limit, Long requested) {

    public Problem(String type, String title, int status, String detail, List<Violation> violations) {
        this(type, title, status, detail, violations, null, null, null);
    }
}
