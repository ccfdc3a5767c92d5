package dev.tdlab.core.theory;

/** Small entropy helpers, nats, 0 ln 0 = 0. */
final class Entropies {

    private Entropies() {
    }

    static double xlnx(double x) {
        return x > 0 ? x * Math.log(x) : 0.0;
    }

    /** Binary entropy h(x) = -x ln x - (1-x) ln(1-x). */
    static double h(double x) {
        return -xlnx(x) - xlnx(1 - x);
    }

    /** Mean and standard error of the mean of a sample. */
    static double[] meanAndStdErr(double[] xs) {
        double mean = 0;
        for (double x : xs) mean += x;
        mean /= xs.length;
        double ss = 0;
        for (double x : xs) ss += (x - mean) * (x - mean);
        double sd = xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0;
        return new double[] {mean, sd / Math.sqrt(xs.length)};
    }
}
