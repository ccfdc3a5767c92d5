package dev.tdlab.datagen.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A stored dataset's metadata and theory. */
@Entity
@Table(name = "datasets")
public class DatasetEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "spec_json")
    public String specJson;
    public long seed;
    public int vocab;
    @Column(name = "seq_len")
    public int seqLen;
    @Column(name = "train_sequences")
    public int trainSequences;
    @Column(name = "eval_sequences")
    public int evalSequences;
    @Column(name = "sequences_per_shard")
    public int sequencesPerShard;
    @Column(name = "shard_count")
    public int shardCount;
    @Column(name = "eval_shard_count")
    public int evalShardCount;
    public String sha256;
    @Column(name = "entropy_rate")
    public Double entropyRate;
    @Column(name = "unigram_entropy")
    public Double unigramEntropy;
    @Column(name = "stationary_json")
    public String stationaryJson;
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
