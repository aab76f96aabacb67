package io.atelier.common.compute;

import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceDiscoveryScriptPlugin;
import org.apache.spark.resource.ResourceID;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/gpu/discover-gpus.sh run the way Spark runs it (Spark's own script discovery plugin),
 * with a stand-in nvidia-smi on PATH; and what Spark reports for a script's bad output.
 */
class DiscoverGpusScriptTest {
    @TempDir
    Path tmp;

    private Path script() {
        return ShippedFiles.root().resolve("deploy/gpu/discover-gpus.sh");
    }

    /** A stand-in nvidia-smi printing {@code output} (and exiting with {@code code}) in its own folder. */
    private Path fakeNvidiaSmi(String output, int code) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin-" + code + "-" + output.hashCode()));
        executable(bin.resolve("nvidia-smi"), "#!/bin/sh\nprintf '" + output + "'\nexit " + code + "\n");
        return bin;
    }

    private static Path executable(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(Path pathDir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(script().toString());
        pb.environment().put("PATH", (pathDir == null ? "" : pathDir + ":") + "/usr/bin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new Run(p.waitFor(), out, err);
    }

    @Test
    void twoGpusBecomeSparksResourceJson() throws Exception {
        Run r = run(fakeNvidiaSmi("0\\n1\\n", 0));
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", r.out());
        ResourceInformation parsed = ResourceInformation.parseJson(r.out());
        assertEquals("gpu", parsed.name());
        assertArrayEquals(new String[]{"0", "1"}, parsed.addresses());
    }

    @Test
    void sparksDiscoveryRunsTheShippedScript() throws Exception {
        // Spark runs the script with the executor's environment; put the stand-in first on this JVM's PATH
        // through a wrapper, as an executor's PATH would hold the real nvidia-smi.
        Path bin = fakeNvidiaSmi("3\\n", 0);
        Path wrapper = executable(tmp.resolve("discover.sh"),
                "#!/bin/sh\nPATH=" + bin + ":$PATH exec " + script() + "\n");
        Optional<ResourceInformation> found = new ResourceDiscoveryScriptPlugin().discoverResource(
                request(wrapper), new SparkConf(false));
        assertArrayEquals(new String[]{"3"}, found.orElseThrow().addresses());
    }

    @Test
    void withoutNvidiaSmiOrWithGarbageTheScriptFailsInOneLineNamingItself() throws Exception {
        Run none = run(null);
        assertEquals(1, none.code());
        assertEquals(script() + ": nvidia-smi is not on PATH: no NVIDIA driver here, so this machine offers no GPUs",
                none.out());

        Run garbage = run(fakeNvidiaSmi("No devices were found\\n", 0));
        assertEquals(1, garbage.code());
        assertEquals(script() + ": nvidia-smi printed 'Nodeviceswerefound' where a device index was expected",
                garbage.out());

        Run failing = run(fakeNvidiaSmi("NVIDIA-SMI has failed\\n", 9));
        assertEquals(1, failing.code());
        assertTrue(failing.out().startsWith(script() + ": nvidia-smi failed: NVIDIA-SMI has failed"), failing.out());
    }

    @Test
    void sparksErrorForTheFailingScriptNamesIt() throws Exception {
        // The exception names the script; the cause (the script's stdout) is in Spark's error log
        // line just before it, "Process List(<script>) exited with code 1: <cause>".
        Path wrapper = executable(tmp.resolve("no-driver.sh"), "#!/bin/sh\nPATH=/usr/bin:/bin exec " + script() + "\n");
        Exception e = assertThrows(Exception.class, () -> new ResourceDiscoveryScriptPlugin()
                .discoverResource(request(wrapper), new SparkConf(false)));
        assertEquals("Process List(" + wrapper + ") exited with code 1", e.getMessage());
    }

    @Test
    void sparksErrorForMalformedJsonHoldsTheOutputButNotTheScript() throws Exception {
        // What conf/spark-gpu.conf documents for a discovery script of one's own.
        Path malformed = executable(tmp.resolve("malformed.sh"), "#!/bin/sh\necho '{\"name\":\"gpu\",\"addresses\":[0'\n");
        Exception e = assertThrows(Exception.class, () -> new ResourceDiscoveryScriptPlugin()
                .discoverResource(request(malformed), new SparkConf(false)));
        assertTrue(e.getMessage().startsWith("Error parsing JSON into ResourceInformation"), e.getMessage());
        assertTrue(e.getMessage().contains("[0"), e.getMessage());
        assertFalse(e.getMessage().contains(malformed.toString()), e.getMessage());
    }

    private static ResourceRequest request(Path script) {
        return new ResourceRequest(new ResourceID("spark.executor", "gpu"), 1, Optional.of(script.toString()),
                Optional.empty());
    }
}
