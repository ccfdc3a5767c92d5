package dev.tdlab.contracts;

/** Version of the event schemas; every event carries it. Bump on an incompatible change. */
public final class SchemaVersion {
    public static final int CURRENT = 1;

    private SchemaVersion() {
    }
}
