package dev.tdlab.core.data;

/**
 * A stand-in for the image tasks of Song et al. (NeurIPS 2024): a square grey image of {@code imageSize}² pixels of
 * i.i.d. N(0, noiseStd²) noise with one bar of {@code barLength} pixels of brightness {@code signal} added, horizontal
 * (class 0) or vertical (class 1) with equal probability, at a uniformly random position where it fits. The image is
 * cut into (imageSize/patchSize)² patches of patchSize² pixels (row-major patches, row-major pixels inside a patch):
 * the transformer sees a sequence of patches, as a ViT does. The object's position is stored with each example, so a
 * per-patch segmentation target (the patches the bar touches) can be derived.
 *
 * @param imageSize side of the image in pixels (2..128)
 * @param patchSize side of a patch; divides imageSize
 * @param barLength length of the bar in pixels (1..imageSize; 1 makes the classes indistinguishable)
 * @param signal    brightness added on the bar's pixels (≥ 0)
 * @param noiseStd  std of the pixel noise (> 0)
 */
public record PatchImageConfig(int imageSize, int patchSize, int barLength, double signal, double noiseStd) {

    public PatchImageConfig {
        if (imageSize < 2 || imageSize > 128) throw new IllegalArgumentException("imageSize must be in [2,128], got " + imageSize);
        if (patchSize < 1 || patchSize > imageSize || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("patchSize must divide imageSize (" + imageSize + "), got " + patchSize);
        }
        if (barLength < 1 || barLength > imageSize) throw new IllegalArgumentException("barLength must be in [1," + imageSize + "], got " + barLength);
        if (!(signal >= 0) || Double.isInfinite(signal)) throw new IllegalArgumentException("signal must be finite and >= 0, got " + signal);
        if (!(noiseStd > 0) || Double.isInfinite(noiseStd)) throw new IllegalArgumentException("noiseStd must be finite and > 0, got " + noiseStd);
    }

    public int patches() {
        int side = imageSize / patchSize;
        return side * side;
    }

    public int patchDim() {
        return patchSize * patchSize;
    }

    /** Positions a bar of either orientation can take: imageSize * (imageSize - barLength + 1). */
    public int placements() {
        return imageSize * (imageSize - barLength + 1);
    }
}
