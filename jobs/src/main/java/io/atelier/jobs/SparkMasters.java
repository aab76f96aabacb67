package io.atelier.jobs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A standalone master that cannot be reached, refused in one line before Spark starts. Spark's own
 * client retries its registration for a minute and then leaves a stopped context behind, so a
 * mistyped {@code --master spark://...} would read as a hang followed by an unrelated error.
 */
final class SparkMasters {
    /** Per address: a running master accepts at once; this only bounds a silently dropped connection. */
    static final int CONNECT_TIMEOUT_MS = 10_000;

    private SparkMasters() {
    }

    /**
     * Checks that a {@code spark://host:port[,host:port...]} master accepts connections on at least
     * one of its addresses; other masters (local, yarn, k8s) are left to Spark.
     */
    static void checkReachable(String master) {
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI address = URI.create("spark://" + hostPort.trim());
            if (address.getHost() == null || address.getPort() < 0) {
                throw new IllegalArgumentException("Spark master " + master + " is not spark://HOST:PORT[,HOST:PORT...]; "
                        + "correct --master");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                failures.add(address.getHost() + ":" + address.getPort() + " (" + e.getMessage() + ")");
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master " + master + ": " + String.join(", ", failures)
                + "; start the master or correct --master");
    }
}
