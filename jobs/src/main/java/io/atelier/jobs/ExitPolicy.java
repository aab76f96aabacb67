package io.atelier.jobs;

import org.apache.spark.SparkUserAppException;

import java.util.Map;
import java.util.Properties;
import java.util.function.IntConsumer;

/**
 * How {@link AtelierCli#main} ends. On the command line and in client mode it exits with the
 * command's code, as the README documents. In a YARN cluster-mode driver the ApplicationMaster
 * runs main in a thread of its own JVM: a System.exit there, before main returns, is recorded as
 * FAILED ("Shutdown hook called before final status was reported", EXIT_EARLY) even when the
 * command succeeded, and the attempt may be retried. There main returns on success and throws
 * {@link SparkUserAppException} with the code on failure, which the ApplicationMaster turns into
 * a FAILED status with that exit code (the one-line error has been printed by then).
 */
record ExitPolicy(boolean clusterDriver, IntConsumer exit) {

    /** This JVM's policy: cluster mode when Spark's submit settings or YARN's ApplicationMaster say so. */
    static ExitPolicy forThisJvm() {
        return new ExitPolicy(clusterDriver(System.getProperties(), System.getenv()), System::exit);
    }

    /**
     * A cluster-mode driver: {@code spark.submit.deployMode=cluster}, which spark-submit records and
     * YARN's ApplicationMaster sets as a system property before it calls main; or a YARN container
     * whose JVM is the ApplicationMaster ({@code CONTAINER_ID} set and {@code spark.yarn.app.id}
     * present), in case the deploy mode was not carried over.
     */
    static boolean clusterDriver(Properties props, Map<String, String> env) {
        if ("cluster".equalsIgnoreCase(props.getProperty("spark.submit.deployMode", "").trim())) {
            return true;
        }
        return env.containsKey("CONTAINER_ID") && props.getProperty("spark.yarn.app.id") != null
                && !"client".equalsIgnoreCase(props.getProperty("spark.submit.deployMode", "").trim());
    }

    /** Ends main with {@code code}: an exit, or in a cluster driver a return (0) or a SparkUserAppException. */
    void finish(int code) throws SparkUserAppException {
        if (!clusterDriver) {
            exit.accept(code);
        } else if (code != 0) {
            throw new SparkUserAppException(code);
        }
    }
}
