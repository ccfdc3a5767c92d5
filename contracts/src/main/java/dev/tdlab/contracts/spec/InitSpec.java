package dev.tdlab.contracts.spec;

import java.util.List;
import java.util.Map;

/**
 * How parameters are initialized.
 *
 * @param scheme {@code gaussian} (every weight N(0, std²); output projections std/√2), or the Makkuva code's
 *               {@code base}, {@code good}, {@code lowrank} (binary data, vocab 2); deep family: also {@code gpt2},
 *               {@code xavier} (std/√fan-in) and {@code auto} (the init that goes with the parameterization: xavier
 *               under {@code standard}, N(0, std²) under {@code mup}/{@code depth-mup}, whose forward pass carries the
 *               1/√fan-in, so that both start from the same function scale); classifier: {@code gaussian},
 *               {@code fan-in}
 * @param std    standard deviation of the gaussian parts
 * @param vStd   {@code lowrank}: std of v in W_V = v αᵀ (default 0); {@code two-layer-classifier}: std of W_V (before
 *               the fan-in division), 0 or absent = {@code std} (Song et al.'s Q/K-to-V scale ratio)
 * @param values explicit parameter values by parameter name (e.g. {@code layer0/attn/wq}), row-major, applied after
 *               the scheme; absent: none
 */
public record InitSpec(String scheme, Double std, Double vStd, Map<String, List<Double>> values) {

    public InitSpec(String scheme, Double std) {
        this(scheme, std, null, null);
    }

    public InitSpec withDefaults() {
        return new InitSpec(scheme == null ? "gaussian" : scheme, std == null ? 0.02 : std, vStd == null ? 0.0 : vStd,
                values == null ? Map.of() : values);
    }
}
