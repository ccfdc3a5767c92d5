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
    /** The normalized spec the id hashes (canonical JSON). */
    @Column(name = "spec_json")
    public String specJson;
    public long seed;
    public String family;
    /** Shard body encoding: bits1, u8, labeled-bits1, labeled-u8, patch-f32. */
    public String encoding;
    /** Token families only. */
    public Integer vocab;
    /** Token families only: each sequence holds seqLen + 1 tokens. */
    @Column(name = "seq_len")
    public Integer seqLen;
    /** Patch families only. */
    public Integer patches;
    /** Patch families only: values per patch. */
    public Integer dim;
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
    /** SHA-256 of every shard body, in shard order (train then eval). */
    public String sha256;
    @Column(name = "stored_bytes")
    public Long storedBytes;
    @Column(name = "generation_ms")
    public Long generationMs;
    @Column(name = "entropy_rate")
    public Double entropyRate;
    @Column(name = "unigram_entropy")
    public Double unigramEntropy;
    @Column(name = "stationary_json")
    public String stationaryJson;
    /** The {@code Baselines} sent on datasets.ready. */
    @Column(name = "baselines_json")
    public String baselinesJson;
    /** The full theory (curves, tables, methods). */
    @Column(name = "theory_json")
    public String theoryJson;
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
