package dev.tdlab.contracts.shards;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How the trainer downloads a dataset from data-gen: {@code GET {dataUrl}/api/v1/datasets/{id}/shards/{n}}, shard
 * numbers 0..shardCount-1 for the train split, then evalShardCount eval shards (counts from {@code datasets.ready}).
 * The body is the shard's bytes ({@code application/octet-stream}) laid out as {@link #ENCODING} names
 * ({@link ShardEncoding}); {@link #CHECKSUM} is {@link #checksum} of the body.
 */
public final class ShardProtocol {

    /** The datasets resource. */
    public static final String DATASETS_PATH = "/api/v1/datasets";
    /** One shard, under {@link #DATASETS_PATH}; path parameters {@code id} (dataset id) and {@code n} (shard number). */
    public static final String SHARD_SUBPATH = "/{id}/shards/{n}";
    /** One shard, the full path template. */
    public static final String SHARD_PATH = DATASETS_PATH + SHARD_SUBPATH;

    /** Response header: the body's {@link ShardEncoding#wire() encoding}; absent means {@link ShardEncoding#DEFAULT}. */
    public static final String ENCODING = "X-Encoding";
    /** Response header: {@link #checksum} of the body. */
    public static final String CHECKSUM = "X-Checksum-SHA256";
    /** Response header: items (sequences or examples) in the shard. */
    public static final String ITEMS = "X-Sequences";
    /** Response header: {@code train} or {@code eval}. */
    public static final String SPLIT = "X-Split";
    /** Response header: the dataset's data family. */
    public static final String FAMILY = "X-Family";

    private static final HexFormat HEX = HexFormat.of();

    private ShardProtocol() {
    }

    /** The path of shard {@code n} of a dataset. */
    public static String shardPath(String datasetId, int n) {
        return DATASETS_PATH + "/" + datasetId + "/shards/" + n;
    }

    /** The URL of shard {@code n} of a dataset served at {@code baseUrl} ({@code datasets.ready}'s dataUrl). */
    public static URI shardUri(String baseUrl, String datasetId, int n) {
        return URI.create(baseUrl + shardPath(datasetId, n));
    }

    /**
     * The checksum of a shard: SHA-256 of exactly the body bytes as served (labels included, nothing else), as 64
     * lowercase hexadecimal digits. A dataset's own {@code sha256} is the SHA-256 of all its shard bodies concatenated
     * in shard order ({@link #newDigest}, then {@link #hex}).
     */
    public static String checksum(byte[] body) {
        return hex(newDigest().digest(body));
    }

    /** Whether {@code body} has the checksum {@code header} announces (null or blank never matches). */
    public static boolean verifies(byte[] body, String header) {
        return header != null && header.equals(checksum(body));
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** Lowercase hexadecimal of a digest. */
    public static String hex(byte[] digest) {
        return HEX.formatHex(digest);
    }
}
