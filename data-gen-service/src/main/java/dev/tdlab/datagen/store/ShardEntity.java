package dev.tdlab.datagen.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/** One shard of a dataset's tokens, one byte per token. */
@Entity
@Table(name = "shards")
public class ShardEntity extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "dataset_id")
        public String datasetId;
        @Column(name = "shard_no")
        public int shardNo;

        public Key() {
        }

        public Key(String datasetId, int shardNo) {
            this.datasetId = datasetId;
            this.shardNo = shardNo;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.shardNo == shardNo && Objects.equals(k.datasetId, datasetId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(datasetId, shardNo);
        }
    }

    @EmbeddedId
    public Key key;
    public String split;
    public int sequences;
    public String sha256;
    public byte[] data;
}
