package dev.tdlab.contracts.spec;

/**
 * How parameters are initialized.
 *
 * @param scheme {@code gaussian} (every weight N(0, std²); output projections std/√2)
 * @param std    standard deviation of the gaussian scheme
 */
public record InitSpec(String scheme, Double std) {

    public InitSpec withDefaults() {
        return new InitSpec(scheme == null ? "gaussian" : scheme, std == null ? 0.02 : std);
    }
}
