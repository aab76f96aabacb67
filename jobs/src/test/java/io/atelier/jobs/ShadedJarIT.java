package io.atelier.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the shaded jar holds, read from its entries after {@code package}: its size stays under the
 * ceiling docs/cluster.md reports, the libraries Spark also ships are relocated or left to Spark, and
 * what was cut from it (natives Atelier never loads, other platforms' natives) stays out.
 */
class ShadedJarIT {
    static final Path JAR = LocalStandaloneCluster.ROOT.resolve("jobs/target/atelier-jobs.jar");
    /**
     * The CPU jar measured 147.8 MB after slimming, 95.8 MB of it ND4J's oneDNN build of
     * libnd4jcpu.so (docs/cluster.md, "The jar"); this ceiling leaves room for Atelier's own
     * growth, not for another library's natives. (Issue 23's goal, 120 MB, is below what the
     * natives alone take; the docs say what it would cost.)
     */
    static final long CEILING_BYTES = 150_000_000L;
    /**
     * The build strips the native binary with binutils' strip when the machine has it, and puts the
     * published one in otherwise (5.3 MB of symbol table more); the ceiling follows.
     */
    static final long UNSTRIPPED_EXTRA_BYTES = 6_000_000L;
    /** Everything but ND4J's native binary (52.0 MB): the part of the jar the build chooses. */
    static final long REST_CEILING_BYTES = 54_000_000L;
    static final String ND4J_NATIVE = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn/libnd4jcpu.so";

    static List<ZipEntry> entries;

    @BeforeAll
    static void readJar() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build it with mvn -DskipTests package");
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            entries = new ArrayList<ZipEntry>(Collections.list(zip.entries()));
        }
    }

    /** Compressed MB by the first {@code depth} path parts, largest first: what a failure prints. */
    static String sizesByPart(int depth) {
        Map<String, Long> bytes = new TreeMap<>();
        for (ZipEntry e : entries) {
            String[] parts = e.getName().split("/");
            String key = String.join("/", Arrays.copyOf(parts, Math.min(depth, Math.max(1, parts.length - 1))));
            bytes.merge(key, e.getCompressedSize(), Long::sum);
        }
        StringBuilder out = new StringBuilder();
        bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                .forEach(b -> out.append(String.format("%8.1f MB  %s%n", b.getValue() / 1e6, b.getKey())));
        return out.toString();
    }

    /** Whether the build could strip the native binary (binutils on the PATH). */
    static boolean stripAvailable() {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "strip")));
    }

    @Test
    void theJarStaysUnderItsCeiling() throws IOException {
        long size = Files.size(JAR);
        long ceiling = CEILING_BYTES + (stripAvailable() ? 0 : UNSTRIPPED_EXTRA_BYTES);
        assertTrue(size < ceiling, String.format("atelier-jobs.jar is %.1f MB, over its %.1f MB ceiling; what it holds:%n%s",
                size / 1e6, ceiling / 1e6, sizesByPart(3)));
        long rest = entries.stream().filter(e -> !e.getName().equals(ND4J_NATIVE)).mapToLong(ZipEntry::getCompressedSize).sum();
        assertTrue(rest < REST_CEILING_BYTES, String.format("besides libnd4jcpu.so the jar holds %.1f MB, over %.1f MB:%n%s",
                rest / 1e6, REST_CEILING_BYTES / 1e6, sizesByPart(3)));
        assertEquals(1, entries.stream().filter(e -> e.getName().endsWith("/libnd4jcpu.so")).count(),
                "exactly one ND4J CPU native build (" + ND4J_NATIVE + ")");
    }

    @Test
    void librariesSparkShipsAreRelocatedOrLeftToSpark() {
        // Top-level packages of jars that Spark 3.5 ships and this build's dependencies also bring:
        // a copy here would meet Spark's own (a different version, or the same classes twice).
        List<String> sparks = List.of("com/fasterxml/jackson/", "com/google/common/", "com/google/gson/",
                "com/google/protobuf/", "com/google/thirdparty/", "org/apache/commons/lang3/", "org/apache/commons/lang/",
                "org/apache/commons/compress/", "org/apache/commons/io/", "org/apache/commons/codec/",
                "org/apache/commons/collections/", "org/apache/commons/math3/", "org/apache/commons/text/",
                "scala/", "org/slf4j/", "org/apache/log4j/", "org/apache/logging/log4j/", "com/esotericsoftware/",
                "org/objenesis/", "io/netty/", "org/apache/hadoop/", "org/apache/parquet/", "org/apache/arrow/",
                "org/joda/time/", "javax/annotation/", "com/google/flatbuffers/", "org/xerial/snappy/",
                "com/github/luben/zstd/", "net/jpountz/", "org/codehaus/", "org/json4s/", "com/clearspring/");
        List<String> found = new ArrayList<>();
        for (ZipEntry e : entries) {
            for (String p : sparks) {
                if (e.getName().startsWith(p) && e.getName().endsWith(".class")) {
                    found.add(e.getName());
                    break;
                }
            }
        }
        assertEquals(List.of(), found.stream().limit(20).toList(),
                found.size() + " classes of libraries Spark ships are unrelocated in the jar");
        // What is relocated is there, under Atelier's prefix.
        for (String relocated : List.of("io/atelier/shaded/org/apache/commons/compress/archivers/tar/TarArchiveInputStream.class",
                "io/atelier/shaded/com/google/gson/Gson.class",
                "org/nd4j/shade/jackson/databind/ObjectMapper.class", "org/nd4j/shade/guava/collect/ImmutableList.class")) {
            assertTrue(entries.stream().anyMatch(e -> e.getName().equals(relocated)), "relocated class missing: " + relocated);
        }
    }

    @Test
    void whatWasCutStaysOut() {
        List<String> cut = new ArrayList<>();
        for (ZipEntry e : entries) {
            String n = e.getName();
            boolean unused = n.startsWith("org/bytedeco/opencv/") || n.startsWith("org/bytedeco/ffmpeg/")
                    || n.startsWith("org/bytedeco/leptonica/") || n.startsWith("org/bytedeco/javacv/")
                    || n.matches("org/bytedeco/[^/]+/[^/]+/(include|lib)/.+");
            boolean otherPlatform = (n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib")
                    || n.endsWith(".jnilib") || n.endsWith(".a"))
                    && !n.contains("linux-x86_64") && !n.contains("linux-x86-64") && !n.contains("Linux/x86_64/");
            if (unused || otherPlatform) {
                cut.add(n);
            }
        }
        assertEquals(List.of(), cut, "natives Atelier never loads, or for platforms other than linux-x86_64");
        for (String kept : List.of("org/bytedeco/openblas/linux-x86_64/libopenblas.so.0",
                "org/bytedeco/openblas/linux-x86_64/libjniopenblas.so", "org/bytedeco/openblas/linux-x86_64/libjniopenblas_nolapack.so",
                "org/bytedeco/hdf5/linux-x86_64/libjnihdf5.so",
                "com/sun/jna/linux-x86-64/libjnidispatch.so")) {
            // libnd4jcpu.so links libopenblas.so.0; loading Nd4jCpu loads both OpenBLAS bindings (its
            // presets inherit OpenBLAS's: without libjniopenblas.so every executor fails to start ND4J);
            // Keras .h5 import loads HDF5's.
            assertTrue(entries.stream().anyMatch(e -> e.getName().equals(kept)), "a native Atelier loads is missing: " + kept);
        }
    }
}
