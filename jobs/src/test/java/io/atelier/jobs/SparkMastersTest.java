package io.atelier.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A standalone master that does not answer is refused in one line before Spark starts, not after a minute of retries. */
class SparkMastersTest {

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableMasterIsOneLineNamingItWithExitCode2Within30Seconds() throws IOException {
        int port = closedPort();
        String master = "spark://127.0.0.1:" + port;
        long start = System.nanoTime();
        AtelierCliTest.Result inspect = AtelierCliTest.atelier("inspect", "/no/such/dataset", "--master", master);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

        assertEquals(2, inspect.code(), "exit code; stderr: " + inspect.err());
        // Spark's own start-up warnings (its host name) may precede it; the command says one line.
        List<String> lines = inspect.err().lines().filter(l -> l.startsWith("atelier inspect:")).toList();
        assertEquals(1, lines.size(), "one line from the command on stderr, got:\n" + inspect.err());
        assertTrue(inspect.err().lines().noneMatch(l -> l.contains("Exception")), "no stack trace:\n" + inspect.err());
        assertTrue(lines.get(0).startsWith("atelier inspect: cannot reach the Spark master " + master + ": 127.0.0.1:" + port
                + " (Connection refused"), lines.get(0));
        assertTrue(lines.get(0).endsWith("; start the master or correct --master"), lines.get(0));
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    @Test
    void aMasterListPassesWhenOneAddressAnswersAndOtherMastersAreLeftToSpark() throws IOException {
        int closed = closedPort();
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertDoesNotThrow(() -> SparkMasters.checkReachable(
                    "spark://127.0.0.1:" + closed + ",127.0.0.1:" + listening.getLocalPort()));
        }
        assertDoesNotThrow(() -> SparkMasters.checkReachable("local[2]"));
        assertDoesNotThrow(() -> SparkMasters.checkReachable("yarn"));
        IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class,
                () -> SparkMasters.checkReachable("spark://127.0.0.1"));
        assertEquals("Spark master spark://127.0.0.1 is not spark://HOST:PORT[,HOST:PORT...]; correct --master",
                noPort.getMessage());
    }
}
