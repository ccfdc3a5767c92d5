package dev.tdlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Change points on synthetic curves with known boundaries. */
class ChangePointsTest {

    static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    @Test
    void aLineIsOneSegmentWithItsCoefficients() {
        double[] x = steps(100), y = new double[100];
        for (int i = 0; i < 100; i++) y[i] = 2.0 + 0.5 * x[i];
        ChangePoints.Result r = ChangePoints.fit(x, y, 5, 3);
        assertEquals(1, r.segments().size());
        assertEquals(0.5, r.segments().get(0).slope(), 1e-12);
        assertEquals(2.0, r.segments().get(0).intercept(), 1e-10);
        assertEquals(0, r.boundaries().length);
    }

    @Test
    void exactPiecewiseLinearCurveRecoversItsCuts() {
        double[] x = steps(120), y = new double[120];
        for (int i = 0; i < 120; i++) y[i] = i < 30 ? 5 : i < 80 ? 5 - 0.1 * (i - 30) : 0.3 * (i - 80);
        ChangePoints.Result r = ChangePoints.fit(x, y, 6, 3);
        assertArrayEquals(new int[] {30, 80}, r.boundaries());
        assertEquals(-0.1, r.segments().get(1).slope(), 1e-9);
        assertEquals(0.3, r.segments().get(2).slope(), 1e-9);
    }

    @Test
    void noisyStagesOfALossCurve() {
        // loss = exp(piecewise-linear): plateau, fast exponential decay, slow decay, plateau; multiplicative noise
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 300;
        double[] x = steps(n), loss = new double[n];
        for (int i = 0; i < n; i++) {
            double ln = i < 50 ? Math.log(0.69) : i < 120 ? Math.log(0.69) - 0.05 * (i - 50)
                    : i < 220 ? Math.log(0.69) - 3.5 - 0.02 * (i - 120) : Math.log(0.69) - 5.5;
            loss[i] = Math.exp(ln + 0.02 * rnd.nextGaussian());
        }
        ChangePoints.Result r = ChangePoints.fitLog(x, loss, 8, 5);
        int[] b = r.boundaries();
        assertEquals(3, b.length, java.util.Arrays.toString(b));
        int[] truth = {50, 120, 220};
        // a kink (no jump) of slope change ≥ 0.02 per step under noise 0.02: located within a few steps
        for (int i = 0; i < 3; i++) assertTrue(Math.abs(b[i] - truth[i]) <= 5, "cut " + b[i] + " vs " + truth[i]);
        assertEquals(-0.05, r.segments().get(1).slope(), 0.003);
        assertEquals(-0.02, r.segments().get(2).slope(), 0.003);
    }

    @Test
    void pureNoiseIsOneSegment() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] x = steps(200), y = new double[200];
        for (int i = 0; i < 200; i++) y[i] = rnd.nextGaussian();
        assertEquals(1, ChangePoints.fit(x, y, 6, 5).segments().size());
    }

    @Test
    void moreSegmentsNeverFitWorse() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] x = steps(60), y = new double[60];
        for (int i = 0; i < 60; i++) y[i] = Math.sin(i / 6.0) + 0.1 * rnd.nextGaussian();
        ChangePoints.Result[] each = ChangePoints.fitEach(x, y, 5, 4);
        for (int k = 1; k < 5; k++) assertTrue(each[k].sse() <= each[k - 1].sse() + 1e-12);
        for (int k = 0; k < 5; k++) {
            assertEquals(k + 1, each[k].segments().size());
            assertEquals(0, each[k].segments().get(0).from());
            assertEquals(60, each[k].segments().get(k).to());
            for (ChangePoints.Segment s : each[k].segments()) assertTrue(s.to() - s.from() >= 4);
        }
    }

    @Test
    void badInputsAreNamed() {
        double[] x = steps(10);
        assertThrows(IllegalArgumentException.class, () -> ChangePoints.fit(x, new double[9], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ChangePoints.fit(x, new double[10], 0, 2));
        assertThrows(IllegalArgumentException.class, () -> ChangePoints.fit(x, new double[10], 2, 1));
        assertThrows(IllegalArgumentException.class, () -> ChangePoints.fit(x, new double[10], 2, 11));
        double[] bad = new double[10];
        bad[3] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> ChangePoints.fit(x, bad, 2, 2));
    }
}
