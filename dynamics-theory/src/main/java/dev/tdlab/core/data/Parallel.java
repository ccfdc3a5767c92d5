package dev.tdlab.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Runs chunk jobs on a few plain threads; the chunk results never depend on which thread ran them. */
final class Parallel {

    private Parallel() {
    }

    /** The default: every available processor. */
    static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    static void forChunks(int chunks, int threads, IntConsumer job) {
        int t = Math.max(1, Math.min(threads, chunks));
        if (t == 1) {
            for (int c = 0; c < chunks; c++) job.accept(c);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        Runnable r = () -> {
            try {
                for (int c; (c = next.getAndIncrement()) < chunks; ) job.accept(c);
            } catch (Throwable e) {
                synchronized (failure) {
                    if (failure[0] == null) failure[0] = e;
                }
                next.set(chunks);
            }
        };
        for (int i = 1; i < t; i++) {
            Thread th = new Thread(r, "tdlab-datagen-" + i);
            th.setDaemon(true);
            th.start();
            workers.add(th);
        }
        r.run();
        for (Thread th : workers) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while generating", e);
            }
        }
        if (failure[0] instanceof RuntimeException re) throw re;
        if (failure[0] instanceof Error er) throw er;
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
    }
}
