package io.atelier.jobs;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/**
 * An application for {@link StockSparkIT}: starts a session as every Atelier command does
 * ({@link SparkSessions}) and prints, from inside one task per partition, the settings that task's
 * executor sees: environment variables and Spark settings named in the arguments.
 */
public final class ExecutorSettings {
    private ExecutorSettings() {
    }

    /** Arguments: {@code env:NAME} or {@code conf:KEY}, any number of each. */
    public static void main(String[] args) {
        SparkSession session = SparkSessions.create("executor-settings", null);
        List<String> names = List.of(args);
        List<String> lines = new JavaSparkContext(session.sparkContext()).parallelize(List.of(0, 1), 2)
                .map(partition -> {
                    StringBuilder line = new StringBuilder("task executor=" + SparkEnv.get().executorId()
                            + " partition=" + TaskContext.getPartitionId());
                    for (String name : names) {
                        String value = name.startsWith("env:") ? System.getenv(name.substring(4))
                                : SparkEnv.get().conf().get(name.substring(5), null);
                        line.append(' ').append(name).append('=').append(value);
                    }
                    return line.toString();
                }).collect();
        lines.forEach(System.out::println);
        session.stop();
    }
}
