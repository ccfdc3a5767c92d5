package dev.tdlab.analysis.rest;

import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/spec/schema}: the JSON Schema (draft 2020-12) of the experiment spec that
 * {@code POST /api/v1/experiments} accepts, for editors and typed clients. The file is generated from the contracts'
 * records at build time (test scope) and committed; a test fails when it differs from what the records make.
 */
@Path("/api/v1/spec/schema")
@Authenticated
public class SpecSchemaResource {

    static final String MEDIA_TYPE = "application/schema+json";
    static final String RESOURCE = "spec/experiment-spec.schema.json";
    private static final String SCHEMA = load();

    @GET
    @Produces(MEDIA_TYPE)
    @Operation(operationId = "getSpecSchema", description = "The JSON Schema (draft 2020-12) of the experiment spec:"
            + " every field with its type, default, allowed values and description, and the rules across fields that"
            + " a schema can state; the few rules only the validator checks are listed in docs/spec.md.")
    @Tag(name = "spec")
    @APIResponse(responseCode = "200", description = "the schema",
            content = @Content(mediaType = MEDIA_TYPE, schema = @Schema(type = SchemaType.OBJECT,
                    description = "a JSON Schema document (draft 2020-12)")))
    public Response schema() {
        return Response.ok(SCHEMA, MEDIA_TYPE).build();
    }

    private static String load() {
        try (InputStream in = SpecSchemaResource.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the service's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
