package io.atelier.common.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveHeapTest {
    private static final long MIB = 1024 * 1024;

    /**
     * A thread compresses a byte array again and again, inside a JNI critical region most of the
     * time (as the JDK's image decoders are on an executor listing a catalog), while this thread
     * makes 64 MiB of garbage before each reading. A collection requested inside such a region is
     * dropped, so a reading of the heap's usage after {@code System.gc()} would count that
     * garbage; each reading here must still be the live heap measured before the compressions.
     */
    @Test
    void readingsTakenWhileCollectionsAreBlockedStillCountNoGarbage() throws InterruptedException {
        assertFalse(LiveHeap.fullCollectors().isEmpty(), "this JVM reports its full collections");
        byte[] input = new byte[(int) (8 * MIB)];
        new Random(7).nextBytes(input);
        byte[] output = new byte[(int) (9 * MIB)];
        long quiet = LiveHeap.measure();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong compressions = new AtomicLong();
        Thread compressor = new Thread(() -> {
            while (!stop.get()) {
                Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
                deflater.setInput(input);
                deflater.finish();
                deflater.deflate(output);
                deflater.end();
                compressions.incrementAndGet();
                try {
                    Thread.sleep(20); // a gap between regions, as between two images
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        compressor.setDaemon(true);
        List<Long> readings = new ArrayList<>();
        compressor.start();
        try {
            Thread.sleep(100);
            for (int i = 0; i < 8; i++) {
                byte[][] garbage = new byte[64][];
                for (int k = 0; k < garbage.length; k++) {
                    garbage[k] = new byte[(int) MIB];
                }
                garbage = null;
                readings.add(LiveHeap.measure());
            }
        } finally {
            stop.set(true);
            compressor.join();
        }
        assertTrue(compressions.get() >= 2, "the compressions ran throughout: " + compressions.get());
        for (long reading : readings) {
            assertTrue(reading >= 0, "a collection was made for every reading: " + readings);
            assertTrue(Math.abs(reading - quiet) < 8 * MIB, "each reading is the live heap, "
                    + (quiet / MIB) + " MiB, not it plus garbage: " + readings);
        }
        assertTrue(input.length + output.length > 0);
    }

    @Test
    void anArrayDroppedBeforeTheReadingIsNotInIt() {
        long before = LiveHeap.measure();
        byte[] held = new byte[(int) (96 * MIB)];
        held[0] = 1;
        long holding = LiveHeap.measure();
        assertTrue(held[0] == 1);
        held = null;
        long after = LiveHeap.measure();
        assertTrue(holding - before > 90 * MIB, "held: " + before + " -> " + holding);
        assertTrue(holding - after > 90 * MIB, "dropped: " + holding + " -> " + after);
    }
}
