package io.atelier.jobs;

import org.apache.spark.SparkUserAppException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** main exits on the command line and in client mode, and returns or throws in a cluster-mode driver. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class ExitPolicyTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void clusterDriverIsRecognisedByDeployModeOrByYarnsApplicationMaster() {
        assertTrue(ExitPolicy.clusterDriver(props("spark.submit.deployMode", "cluster"), Map.of()));
        assertTrue(ExitPolicy.clusterDriver(props("spark.yarn.app.id", "application_1_0001"),
                Map.of("CONTAINER_ID", "container_1_0001_01_000001")));
        assertFalse(ExitPolicy.clusterDriver(props(), Map.of()), "bin/atelier");
        assertFalse(ExitPolicy.clusterDriver(props("spark.submit.deployMode", "client"), Map.of()), "client mode");
        assertFalse(ExitPolicy.clusterDriver(props("spark.submit.deployMode", "client", "spark.yarn.app.id", "a"),
                Map.of("CONTAINER_ID", "c")), "client mode says so explicitly");
        assertFalse(ExitPolicy.clusterDriver(props(), Map.of("CONTAINER_ID", "c")), "a container that is no Spark driver");
    }

    @Test
    void commandLineExitsWithTheCodeAndClusterDriverReturnsOrThrowsIt() {
        List<Integer> exits = new ArrayList<>();
        assertDoesNotThrow(() -> new ExitPolicy(false, exits::add).finish(2));
        assertDoesNotThrow(() -> new ExitPolicy(false, exits::add).finish(0));
        assertEquals(List.of(2, 0), exits, "the command line exits with each code");

        assertDoesNotThrow(() -> new ExitPolicy(true, exits::add).finish(0));
        SparkUserAppException failed = assertThrows(SparkUserAppException.class,
                () -> new ExitPolicy(true, exits::add).finish(1));
        assertEquals(1, failed.exitCode());
        assertEquals(List.of(2, 0), exits, "a cluster driver never exits");
    }

    @Test
    void mainInAClusterDriverReturnsOnSuccessAndThrowsTheExitCodeOnFailure() {
        String old = System.getProperty("spark.submit.deployMode");
        System.setProperty("spark.submit.deployMode", "cluster");
        try {
            assertDoesNotThrow(() -> AtelierCli.main(new String[]{"--version"}), "success returns");
            SparkUserAppException usage = assertThrows(SparkUserAppException.class,
                    () -> AtelierCli.main(new String[]{"no-such-command"}));
            assertEquals(2, usage.exitCode(), "usage errors keep exit code 2");
            SparkUserAppException badInput = assertThrows(SparkUserAppException.class, () -> AtelierCli.main(new String[]{
                    "ingest", "--input", tmp.resolve("no-such-dir").toString(), "--output", tmp.resolve("out").toString(),
                    "--size", "16", "--master", "local[1]"}));
            assertEquals(2, badInput.exitCode(), "a missing input keeps exit code 2");
        } finally {
            if (old == null) {
                System.clearProperty("spark.submit.deployMode");
            } else {
                System.setProperty("spark.submit.deployMode", old);
            }
        }
    }
}
