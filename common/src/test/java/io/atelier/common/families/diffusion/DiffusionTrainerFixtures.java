package io.atelier.common.families.diffusion;

import io.atelier.common.train.WorkerData;

/** Tiny labelled data for diffusion tests: class c is a bright horizontal bar in band c of three. */
final class DiffusionTrainerFixtures {
    private DiffusionTrainerFixtures() {
    }

    static WorkerData bars(int worker, int count) {
        byte[] px = new byte[count * 28 * 28];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int c = i % 3;
            labels[i] = c;
            for (int y = 0; y < 28; y++) {
                boolean on = y >= 3 + 9 * c && y < 8 + 9 * c;
                for (int x = 0; x < 28; x++) {
                    px[i * 784 + y * 28 + x] = (byte) (on ? 230 : 20);
                }
            }
        }
        return new WorkerData(worker, count, 1, 28, 28, px, labels);
    }
}
