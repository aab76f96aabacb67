package io.atelier.common.bench;

import io.atelier.common.compute.NativeThreads;
import io.atelier.common.families.dcgan.DcganTrainer;
import io.atelier.common.families.dcgan.DcganWorker;
import io.atelier.common.runs.TrainingState;

/** Atelier's own step: {@link DcganWorker} on ND4J/oneDNN, over random images. */
final class AtelierGanStep implements GanStep {
    static final String NAME = "atelier";

    private final DcganWorker worker;
    private final TrainingState state;
    private final double[] metrics = new double[DcganTrainer.METRICS.size()];
    private final int previousThreads;

    private AtelierGanStep(int batch, int threads) {
        previousThreads = NativeThreads.get();
        if (threads > 0) {
            NativeThreads.set(threads);
        }
        GanStepBenchmark.Start start = GanStepBenchmark.Start.reference(batch);
        state = start.state();
        worker = new DcganTrainer(start.config()).newWorker();
        worker.bind(state, start.data());
    }

    @Override
    public String backend() {
        return NAME;
    }

    @Override
    public double[] step(long index) {
        worker.step(GanStepBenchmark.Start.RUN_SEED, 0, index, metrics);
        return new double[] {metrics[0], metrics[1]};
    }

    @Override
    public int threads() {
        return NativeThreads.get();
    }

    @Override
    public void close() {
        worker.unbind(state);
        NativeThreads.set(previousThreads);
    }

    static final class Provider implements GanStep.Provider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public GanStep open(int batch, int threads) {
            return new AtelierGanStep(batch, threads);
        }
    }
}
