package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.Journal;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import dev.tdlab.analysis.security.Access;
import io.quarkus.security.Authenticated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live stream of an experiment (server-sent events): {@code experiment} (status changes),
 * {@code progress} and {@code status} (runs), {@code metrics} (each batch cut to ≤ 50 points per
 * metric, extremes kept), {@code verdict}. Each event's id is its position in the experiment's
 * journal: reconnecting with {@code Last-Event-ID} (or {@code ?after=}) resumes right after it. The
 * stream ends after the experiment's terminal status has been sent.
 *
 * <p>Needs a token like every API call; since a browser's EventSource cannot send headers, this endpoint (and only this
 * one) also takes it as {@code ?access_token=} (see BearerTokenMechanism).
 */
@Path("/api/v1/experiments")
@Authenticated
public class StreamResource {

    static final Duration POLL = Duration.ofMillis(400);

    @Inject
    Journal journal;
    @Inject
    ExperimentStore store;
    @Inject
    Access access;

    @GET
    @Path("/{id}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(operationId = "streamExperiment", description = "The experiment's live stream (server-sent events experiment, progress, status, metrics, verdict); resumable with Last-Event-ID; the token may come as ?access_token= here only.")
    @Tag(name = "experiments")
    public Multi<OutboundSseEvent> stream(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                                          @QueryParam("after") String after, @Context Sse sse) {
        // 404 for an unknown id and for another tenant's; an experiment that has ended already has nothing more to say
        // once its journal after the cursor is replayed (a client resuming past its terminal event is not kept waiting)
        boolean endedAtConnect = terminalStatus(access.experiment(id).status);
        long start = lastEventId != null && !lastEventId.isBlank()
                ? Params.longValue("Last-Event-ID", lastEventId, 0, 0, Long.MAX_VALUE)
                : Params.longValue("after", after, 0, 0, Long.MAX_VALUE);
        AtomicLong cursor = new AtomicLong(start);
        AtomicBoolean ended = new AtomicBoolean();
        List<OutboundSseEvent> end = new ArrayList<>(0); // a marker compared by identity
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(POLL)
                .onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(t -> {
                    if (ended.get()) {
                        return end; // the tick after the terminal event closes the stream
                    }
                    List<OutboundSseEvent> out = new ArrayList<>();
                    for (Journal.Entry e : journal.since(id, cursor.get(), 500)) {
                        cursor.set(e.id());
                        out.add(sse.newEventBuilder().id(Long.toString(e.id())).name(e.type())
                                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(e.payload()).build());
                        if (e.type().equals("experiment") && terminal(e.payload())) {
                            ended.set(true);
                        }
                    }
                    if (out.isEmpty() && endedAtConnect) {
                        ended.set(true);
                    }
                    return out;
                })
                .select().first(batch -> batch != end)
                .onItem().transformToIterable(batch -> batch);
    }

    private static boolean terminalStatus(String status) {
        return "FINISHED".equals(status) || "FAILED".equals(status) || "CANCELLED".equals(status);
    }

    private static boolean terminal(String payload) {
        return payload.contains("\"FINISHED\"") || payload.contains("\"FAILED\"") || payload.contains("\"CANCELLED\"");
    }
}
