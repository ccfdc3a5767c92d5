package dev.tdlab.contracts.spec;

/**
 * How big a run is, from its spec alone (pure functions, no engine): trainable parameters of the model, the size of
 * its dataset, and steps × parameters. Quotas are checked with these before anything is stored.
 *
 * <p>Parameter counts follow dynamics-engine's parameter shapes (MLP width 4d):
 * <ul>
 *   <li>{@code single-layer}: wte [V,d] + wpe [T,d] + wq, wk, wv, wo [d,d] + (mlp: w1 [d,4d] + w2 [4d,d])
 *       + (untied: head/w [d,V]) + head/bias [V] — exact.</li>
 *   <li>{@code makkuva-minimal}: the same with V replaced by 1 (scalar binary input, one logit) — exact.</li>
 *   <li>{@code deep}: the single-layer count with {@code depth} attention (+ MLP) blocks — exact for the engine's
 *       parameter-free layer norm.</li>
 *   <li>any other family (the classifier, or one added later): an upper bound — a deep model of its depth with an MLP,
 *       an untied head and the larger of its input and embedding widths — so that a quota is never under-counted.</li>
 * </ul>
 * V = data.vocab (for patch data: the input width), T = data.seqLen (for patch data: the patches per example).
 */
public final class SpecSize {

    private SpecSize() {
    }

    /** Trainable parameters of one run's model (defaults applied to both specs). */
    public static long parameters(ModelSpec model, DataSpec data) {
        ModelSpec m = (model == null ? new ModelSpec(null, null, null, null, null, null, null, null) : model).withDefaults();
        DataSpec d = data == null ? null : data.withDefaults();
        long width = positive(m.dModel(), 4);
        long vocab = inputWidth(d);
        long positions = positions(d);
        long depth = positive(m.depth(), 1);
        boolean mlp = !Boolean.FALSE.equals(m.mlp());
        boolean tied = !Boolean.FALSE.equals(m.tiedEmbedding());
        String family = m.family();
        if (ModelSpec.SINGLE_LAYER.equals(family)) {
            return transformer(vocab, positions, width, 1, mlp, tied);
        }
        if (ModelSpec.MAKKUVA_MINIMAL.equals(family)) {
            return transformer(1, positions, width, 1, mlp, tied);
        }
        if (ModelSpec.DEEP.equals(family)) {
            return transformer(vocab, positions, width, depth, mlp, tied);
        }
        // conservative: never fewer parameters than the family can have
        long w = Math.max(width, vocab);
        return transformer(vocab, positions, w, depth, true, false) + 4 * depth * w;
    }

    /**
     * Parameters of a transformer: token embedding [V,d], positions [T,d], per block 4 d×d attention matrices and
     * (mlp) a d→4d→d MLP, an untied head [d,V] unless tied, and the output bias [V]. Saturates at Long.MAX_VALUE.
     */
    public static long transformer(long vocab, long seqLen, long dModel, long depth, boolean mlp, boolean tied) {
        long dd = mul(dModel, dModel);
        long block = add(mul(4, dd), mlp ? mul(8, dd) : 0);
        long total = add(mul(vocab, dModel), mul(seqLen, dModel));
        total = add(total, mul(depth, block));
        if (!tied) {
            total = add(total, mul(dModel, vocab));
        }
        return add(total, vocab);
    }

    /**
     * The size of one run's dataset as sequences × sequence length: (trainSequences + evalSequences) × seqLen for token
     * data; examples × patches per example for patch data.
     */
    public static long datasetSize(DataSpec data) {
        if (data == null) {
            return 0;
        }
        DataSpec d = data.withDefaults();
        long sequences = add(positive(d.trainSequences(), 0), positive(d.evalSequences(), 0));
        return mul(sequences, positions(d));
    }

    /** Optimizer steps × parameters of one run: the quota's measure of training cost. */
    public static long stepParameters(RunSpec run) {
        TrainSpec t = run.train() == null ? new TrainSpec(null, null, null, null, null, null, null, null, null).withDefaults()
                : run.train().withDefaults();
        return mul(positive(t.steps(), 0), parameters(run.model(), run.data()));
    }

    /** Input width: the vocabulary for token data, the patch dimension (or pixels per patch) for patch data. */
    static long inputWidth(DataSpec d) {
        if (d == null) {
            return 2;
        }
        if (DataSpec.NOISY_PATCH.equals(d.family())) {
            return positive(d.dim(), 1);
        }
        if (DataSpec.PATCH_IMAGE.equals(d.family())) {
            long p = positive(d.patchSize(), 1);
            return mul(p, p);
        }
        return positive(d.vocab(), 2);
    }

    /** Sequence length: seqLen for token data, patches per example for patch data. */
    static long positions(DataSpec d) {
        if (d == null) {
            return 1;
        }
        if (DataSpec.NOISY_PATCH.equals(d.family())) {
            return positive(d.patches(), 1);
        }
        if (DataSpec.PATCH_IMAGE.equals(d.family())) {
            long side = positive(d.imageSize(), 1) / positive(d.patchSize(), 1);
            return Math.max(1, mul(side, side));
        }
        return positive(d.seqLen(), 1);
    }

    private static long positive(Integer v, long otherwise) {
        return v == null || v < 0 ? otherwise : v;
    }

    static long mul(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static long add(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
