package io.atelier.common.exec;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressPollerTest {
    @Test
    void ticksWhileOpenAndNeverAfterClose() throws InterruptedException {
        AtomicInteger ticks = new AtomicInteger();
        ProgressPoller poller = ProgressPoller.every(Duration.ofMillis(10), "test-progress", ticks::incrementAndGet);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ticks.get() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        poller.close();
        int atClose = ticks.get();
        assertTrue(atClose >= 3, "expected at least 3 ticks in 10 s, got " + atClose);
        Thread.sleep(100);
        assertEquals(atClose, ticks.get(), "a tick came after close, so it could follow the caller's final report");
    }
}
