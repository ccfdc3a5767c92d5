package dev.tdlab.analysis.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

@Entity
@Table(name = "experiments")
public class ExperimentEntity extends PanacheEntityBase {
    @Id
    public String id;
    public String name;
    public String status;
    @Column(name = "spec_json")
    public String specJson;
    @Column(name = "run_count")
    public int runCount;
    /** The tenant that owns it (V6); 'default' for experiments from before tenants. */
    @Column(name = "tenant_id")
    public String tenantId;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
