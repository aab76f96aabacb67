package io.atelier.jobs;

import io.atelier.common.io.HadoopFiles;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * An application for the tests that check what a task sees through each launcher ({@link StockSparkIT},
 * {@link YarnClusterIT}, {@link BinAtelierSettingsIT}): starts a session as every Atelier command does
 * ({@link SparkSessions}) and prints, from inside one task per partition, the settings that task's
 * executor sees: environment variables, Spark settings and the executor JVM's system properties
 * named in the arguments.
 */
public final class ExecutorSettings {
    private ExecutorSettings() {
    }

    /**
     * Arguments: {@code env:NAME}, {@code conf:KEY} or {@code sys:NAME}, any number of each, and
     * {@code to:PATH} to write the lines to a Hadoop path as well (a YARN cluster-mode driver's
     * output stays in its container's log).
     */
    public static void main(String[] args) {
        SparkSession session = SparkSessions.create("executor-settings", null);
        List<String> names = new ArrayList<>();
        String to = null;
        for (String arg : args) {
            if (arg.startsWith("to:")) {
                to = arg.substring(3);
            } else {
                names.add(arg);
            }
        }
        List<String> lines = new JavaSparkContext(session.sparkContext()).parallelize(List.of(0, 1), 2)
                .map(partition -> {
                    StringBuilder line = new StringBuilder("task executor=" + SparkEnv.get().executorId()
                            + " partition=" + TaskContext.getPartitionId());
                    for (String name : names) {
                        String key = name.substring(name.indexOf(':') + 1);
                        String value = name.startsWith("env:") ? System.getenv(key)
                                : name.startsWith("sys:") ? System.getProperty(key)
                                : SparkEnv.get().conf().get(key, null);
                        line.append(' ').append(name).append('=').append(value);
                    }
                    return line.toString();
                }).collect();
        lines.forEach(System.out::println);
        if (to != null) {
            HadoopFiles.writeAtomically(new org.apache.hadoop.fs.Path(to),
                    (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), session.sparkContext().hadoopConfiguration());
        }
        session.stop();
    }

    /** A jar holding this class alone, for --jars or a class path beside Atelier's own classes. */
    static Path jar(Path dir) throws IOException {
        Path jar = dir.resolve("executor-settings.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String entry = ExecutorSettings.class.getName().replace('.', '/') + ".class";
            out.putNextEntry(new JarEntry(entry));
            try (InputStream in = ExecutorSettings.class.getClassLoader().getResourceAsStream(entry)) {
                in.transferTo(out);
            }
            out.closeEntry();
        }
        return jar;
    }
}
