package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.figures.FigureService;
import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.service.Experiments;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An experiment's figures, rendered server-side (figures/): the list, and each one as SVG or PNG. The same access
 * rules as the experiment: another tenant's experiment is a 404 like an unknown one.
 */
@Path("/api/v1/experiments")
@Authenticated
public class FigureResource {

    @Inject
    Access access;
    @Inject
    Experiments experiments;
    @Inject
    FigureService figures;

    @GET
    @Path("/{id}/figures")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "listExperimentFigures", description = "The figures this experiment has (loss curves and"
            + " excess loss per cell, the phase diagram of a two-axis sweep, the template's claim figures): name, title,"
            + " kind and the paths of the SVG and the PNG.")
    @Tag(name = "figures")
    public FigureService.FigureList list(@PathParam("id") String id) {
        return figures.list(experiments.view(access.experiment(id)));
    }

    @GET
    @Path("/{id}/figures/{name: [A-Za-z0-9._-]+}.svg")
    @Produces("image/svg+xml")
    @Operation(operationId = "getExperimentFigureSvg", description = "One figure of the experiment as SVG (vector);"
            + " 404 problem+json naming the figure when the experiment has none of that name.")
    @Tag(name = "figures")
    public byte[] svg(@PathParam("id") String id, @PathParam("name") String name) {
        return figures.render(experiments.view(access.experiment(id)), name, FigureService.Format.SVG);
    }

    @GET
    @Path("/{id}/figures/{name: [A-Za-z0-9._-]+}.png")
    @Produces("image/png")
    @Operation(operationId = "getExperimentFigurePng", description = "One figure of the experiment as PNG (760 pixels"
            + " wide); 404 problem+json naming the figure when the experiment has none of that name.")
    @Tag(name = "figures")
    public byte[] png(@PathParam("id") String id, @PathParam("name") String name) {
        return figures.render(experiments.view(access.experiment(id)), name, FigureService.Format.PNG);
    }
}
