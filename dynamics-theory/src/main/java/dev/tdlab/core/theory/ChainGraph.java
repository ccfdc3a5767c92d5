package dev.tdlab.core.theory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The graph of positive transitions of an order-k chain on V tokens, on k-grams (state {@code s}, successor
 * {@code (s mod V^{k-1}) V + y} when {@code P[s][y] > 0}), and the structural check {@link OrderKChain} makes on it:
 * exactly one closed communicating class (otherwise <em>reducible</em>: the stationary law is not unique), of period 1
 * (otherwise <em>periodic</em>: the stationary law is not the limit law). Transient k-grams are allowed. The check is
 * combinatorial (Tarjan's strongly connected components, iterative; the period from breadth-first levels) and reads
 * only which entries are positive, so it also runs on a table whose rows are not normalized yet.
 */
public final class ChainGraph {

    private final int order;
    private final int vocab;
    private final int states;
    private final double[] p;

    private ChainGraph(int order, int vocab, double[] p) {
        this.order = order;
        this.vocab = vocab;
        this.states = p.length / vocab;
        this.p = p;
    }

    /**
     * Null when the chain has a unique stationary law on an aperiodic class; else why not, in the words
     * {@link OrderKChain} rejects the table with. {@code p} holds {@code V^k} rows of {@code V} entries, row-major.
     */
    public static String structureProblem(int order, int vocab, double[] p) {
        try {
            closedClass(order, vocab, p);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The states of the unique closed class, sorted; throws when there is more than one, or when it is periodic. */
    static int[] closedClass(int order, int vocab, double[] p) {
        return new ChainGraph(order, vocab, p).closedClass();
    }

    private int successor(int s, int y) {
        return (s % (states / vocab)) * vocab + y;
    }

    private int[] closedClass() {
        int n = states;
        int[] index = new int[n];
        int[] low = new int[n];
        int[] comp = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(index, -1);
        int[] stack = new int[n];
        int sp = 0;
        int[] callS = new int[n];
        int[] callY = new int[n];
        int counter = 0;
        int comps = 0;
        for (int root = 0; root < n; root++) {
            if (index[root] >= 0) continue;
            int depth = 0;
            callS[0] = root;
            callY[0] = 0;
            index[root] = low[root] = counter++;
            stack[sp++] = root;
            onStack[root] = true;
            while (depth >= 0) {
                int s = callS[depth];
                if (callY[depth] < vocab) {
                    int y = callY[depth]++;
                    if (p[s * vocab + y] <= 0) continue;
                    int t = successor(s, y);
                    if (index[t] < 0) {
                        index[t] = low[t] = counter++;
                        stack[sp++] = t;
                        onStack[t] = true;
                        depth++;
                        callS[depth] = t;
                        callY[depth] = 0;
                    } else if (onStack[t]) {
                        low[s] = Math.min(low[s], index[t]);
                    }
                } else {
                    if (low[s] == index[s]) {
                        int x;
                        do {
                            x = stack[--sp];
                            onStack[x] = false;
                            comp[x] = comps;
                        } while (x != s);
                        comps++;
                    }
                    depth--;
                    if (depth >= 0) {
                        int parent = callS[depth];
                        low[parent] = Math.min(low[parent], low[s]);
                    }
                }
            }
        }
        boolean[] leaves = new boolean[comps];
        for (int s = 0; s < n; s++) {
            for (int y = 0; y < vocab; y++) {
                if (p[s * vocab + y] > 0 && comp[successor(s, y)] != comp[s]) leaves[comp[s]] = true;
            }
        }
        List<Integer> closed = new ArrayList<>();
        for (int c = 0; c < comps; c++) if (!leaves[c]) closed.add(c);
        if (closed.size() != 1) {
            StringBuilder sb = new StringBuilder("reducible chain: the stationary law is not unique (")
                    .append(closed.size()).append(" closed classes of ").append(order == 1 ? "states" : order + "-grams")
                    .append(", e.g. ");
            for (int i = 0; i < Math.min(2, closed.size()); i++) {
                if (i > 0) sb.append(" and ");
                sb.append(describe(comp, closed.get(i)));
            }
            throw new IllegalArgumentException(sb.append(")").toString());
        }
        int target = closed.get(0);
        int m = 0;
        for (int s = 0; s < n; s++) if (comp[s] == target) m++;
        int[] cls = new int[m];
        m = 0;
        for (int s = 0; s < n; s++) if (comp[s] == target) cls[m++] = s;
        int period = period(cls);
        if (period != 1) {
            throw new IllegalArgumentException("periodic chain (period " + period + "): the stationary law is not the "
                    + "limit law and the loss would oscillate with the position; an aperiodic chain is required");
        }
        return cls;
    }

    private String describe(int[] comp, int c) {
        StringBuilder sb = new StringBuilder("{");
        int shown = 0;
        for (int s = 0; s < states && shown < 4; s++) {
            if (comp[s] != c) continue;
            if (shown++ > 0) sb.append(", ");
            sb.append(order == 1 ? String.valueOf(s) : OrderKChain.context(s, order, vocab));
        }
        return sb.append(shown == 4 ? ", ...}" : "}").toString();
    }

    /** gcd over the edges u->v of the class of level(u) + 1 - level(v), levels from a breadth-first search. */
    private int period(int[] cls) {
        int[] level = new int[states];
        Arrays.fill(level, -1);
        int[] queue = new int[cls.length];
        int head = 0, tail = 0;
        queue[tail++] = cls[0];
        level[cls[0]] = 0;
        int g = 0;
        while (head < tail) {
            int u = queue[head++];
            for (int y = 0; y < vocab; y++) {
                if (p[u * vocab + y] <= 0) continue;
                int v = successor(u, y); // a closed class: every successor is in it
                if (level[v] < 0) {
                    level[v] = level[u] + 1;
                    queue[tail++] = v;
                } else {
                    g = gcd(g, Math.abs(level[u] + 1 - level[v]));
                }
            }
        }
        return g;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
