package io.atelier.jobs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/schedule: the cron line, the systemd service and timer and the Airflow DAG each run one
 * nightly stylize that is a valid Atelier command line, one at a time, with Atelier's settings.
 * Nothing is scheduled here: the files are read and their commands parsed.
 */
class ScheduledRunsTest {
    static final List<String> STYLIZE = List.of("stylize", "--input", "hdfs:///catalog/photos", "--method", "fast",
            "--model", "hdfs:///models/style-starry_night", "--out", "hdfs:///catalog/stylized", "--size", "512");

    @Test
    void theCronLineRunsAtelierSubmitUnderFlockNightly() {
        List<String> lines = DeployFiles.read("deploy/schedule/atelier-stylize.cron").lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals(1, lines.size(), "one crontab line: " + lines);
        List<String> words = DeployFiles.shellWords(lines.get(0));
        assertEquals(List.of("0", "2", "*", "*", "*"), words.subList(0, 5), "every night at 02:00");
        int flock = words.indexOf("flock");
        int submit = words.indexOf("deploy/atelier-submit");
        assertTrue(flock > 0 && words.get(flock + 1).equals("-n") && submit == flock + 3,
                "flock -n LOCK wraps deploy/atelier-submit, so a second night's run does not start beside a slow one: " + words);
        List<String> args = DeployFiles.atelierSubmitArguments(lines.get(0), "the cron line");
        assertEquals("stylize", DeployFiles.parseAtelier(args, "the cron line"));
        assertEquals(STYLIZE, args, "the same command as the systemd service and the DAG");
        for (String doc : List.of("docs/scheduling.md", "docs/stylize.md")) {
            assertTrue(DeployFiles.read(doc).contains("\n" + lines.get(0) + "\n"), doc + " shows the tested cron line");
        }
    }

    @Test
    void theSystemdServiceRunsAtelierSubmitOnceAndTheTimerStartsItNightly() {
        String service = DeployFiles.read("deploy/schedule/atelier-stylize.service");
        Matcher exec = Pattern.compile("(?m)^ExecStart=((?:.*\\\\\\n)*.*)$").matcher(service);
        assertTrue(exec.find(), "the service has an ExecStart");
        List<String> args = DeployFiles.atelierSubmitArguments(exec.group(1), "the service's ExecStart");
        assertTrue(DeployFiles.shellWords(exec.group(1)).get(0).startsWith("/"), "systemd wants an absolute path");
        assertEquals("stylize", DeployFiles.parseAtelier(args, "the service's ExecStart"));
        assertEquals(STYLIZE, args, "the same command as the cron line and the DAG");
        assertTrue(service.contains("\nType=oneshot\n"), "a oneshot service: the timer does not start it again while it runs");
        assertTrue(service.contains("\nEnvironment=SPARK_HOME="), "atelier-submit needs SPARK_HOME");

        String timer = DeployFiles.read("deploy/schedule/atelier-stylize.timer");
        assertTrue(timer.contains("\nOnCalendar=*-*-* 02:00:00\n"), "nightly at 02:00");
        assertTrue(timer.contains("\nUnit=atelier-stylize.service\n"), "starts the service beside it");
        assertTrue(timer.contains("\nWantedBy=timers.target\n"), "enabled with the timers");
    }

    @Test
    void theAirflowDagSubmitsTheSameCommandWithAtelierSettingsOneRunAtATime() {
        String dag = DeployFiles.read("deploy/schedule/atelier_stylize_dag.py");
        assertTrue(dag.contains("max_active_runs=1,"), "one run at a time");
        assertTrue(dag.contains("SparkSubmitOperator("), "submitted by the Spark provider's operator");
        assertTrue(dag.contains("java_class=\"io.atelier.jobs.AtelierCli\""), "Atelier's main class");
        assertTrue(dag.contains("\"jobs/target/atelier-jobs.jar\""), "the shaded jar");
        assertTrue(dag.contains("conf=atelier_settings(os.path.join(ATELIER_HOME, \"conf/spark-defaults.conf\"))"),
                "Atelier's settings as --conf, as deploy/atelier-submit merges them over the cluster's");
        Matcher block = Pattern.compile("(?s)application_args=\\[(.*?)]").matcher(dag);
        assertTrue(block.find(), "the DAG gives application_args");
        List<String> args = new ArrayList<>();
        Matcher literal = Pattern.compile("\"([^\"\\\\]*)\"").matcher(block.group(1));
        while (literal.find()) {
            args.add(literal.group(1));
        }
        assertEquals("stylize", DeployFiles.parseAtelier(args, "the DAG's application_args"));
        assertEquals(STYLIZE, args, "the same command as the cron line and the systemd service");
    }

    @Test
    void theDagsSettingsReaderSeesWhatSparkSeesInConf() {
        // atelier_settings splits each line at its first run of whitespace, '=' or ':' after the key,
        // as java.util.Properties (Spark's reader) does for the simple lines conf/ holds.
        Properties spark = DeployFiles.sparkProperties("conf/spark-defaults.conf");
        for (String line : DeployFiles.read("conf/spark-defaults.conf").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("!")).toList()) {
            String[] kv = line.split("\\s*[=:\\s]\\s*", 2);
            assertEquals(spark.getProperty(kv[0]).strip(), kv[1].strip(), "conf/spark-defaults.conf: " + line
                    + " has no escapes or continuations that the DAG's simple reader would misread");
        }
    }
}
