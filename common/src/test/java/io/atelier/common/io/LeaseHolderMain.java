package io.atelier.common.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.time.Duration;

/**
 * Another process that takes a lease and holds it until killed: {@code LEASE_FILE HEARTBEAT_MS EXPIRY_MS}.
 * Prints {@code held PID} once it holds the lease.
 */
public final class LeaseHolderMain {
    private LeaseHolderMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        OutputLease.Timing timing = new OutputLease.Timing(Duration.ofMillis(Long.parseLong(args[1])),
                Duration.ofMillis(Long.parseLong(args[2])), Duration.ofMillis(50));
        OutputLease lease = OutputLease.acquire("out", new Path(args[0]), "holder", Duration.ZERO, timing, new Configuration(),
                System.err::println);
        System.out.println("held " + lease.holder().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
