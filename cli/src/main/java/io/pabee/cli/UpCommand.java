package io.pabee.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.analytics.StatsHttpServer;
import io.pabee.broker.EmbeddedBroker;
import io.pabee.config.CommonConfigs;
import io.pabee.prepare.BaseModel;
import io.pabee.prepare.ModelPreparer;
import io.pabee.router.RouterConfig;
import io.pabee.router.TopicSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pabee up}: a local stack that other terminals drive, until Ctrl-C. It runs the same role
 * objects as {@code pabee router}, {@code worker} and {@code analytics}, with their settings and
 * default names, so {@code produce}, {@code consume}, {@code stats} and extra {@code worker}
 * processes join it as they would join a real cluster.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        header = "Run a local stack until Ctrl-C: Kafka broker, router, workers and analytics, driven from other terminals.")
final class UpCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);
    /** Printed once everything has started: scripts and tests wait for it. */
    static final String READY = "pabee up: ready";
    private static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaRoleOptions kafka;

    @Option(names = "--data-dir", description = "Broker data and Streams state, kept across restarts "
            + "(default: $PABEE_DATA, else .pabee/ in the checkout).")
    Path dataDir;

    @Option(names = "--broker-address", defaultValue = DEFAULT_BOOTSTRAP,
            description = "host:port the embedded broker listens on and advertises (default ${DEFAULT-VALUE}).")
    String brokerAddress;

    @Option(names = "--controller-port", defaultValue = "9093", description = "The broker's KRaft controller port (default ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--http-port", defaultValue = "8081", description = "/stats and /metrics of this process (default ${DEFAULT-VALUE}; 0 = none).")
    int httpPort;

    @Option(names = "--workers", defaultValue = "1", description = "Workers in this process (default ${DEFAULT-VALUE}; 0 = none).")
    int workers;

    @Option(names = "--no-router", description = "Do not run the router (run `pabee router` yourself).")
    boolean noRouter;

    @Option(names = "--no-analytics", description = "Do not run the analytics (run `pabee analytics` yourself).")
    boolean noAnalytics;

    @Option(names = "--broker-only", description = "Only the broker (and the topics): every other role runs as its own process.")
    boolean brokerOnly;

    @Override
    public Integer call() throws Exception {
        boolean external = kafka.clusterNamed();
        if (brokerOnly && external) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--broker-only starts the broker: it excludes --bootstrap-servers");
        }
        if (workers < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be >= 0, got " + workers);
        }
        boolean router = !brokerOnly && !noRouter;
        boolean analytics = !brokerOnly && !noAnalytics;
        int pool = brokerOnly ? 0 : workers;
        if (external && !router && !analytics && pool == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "nothing to run: no broker, router, analytics or workers");
        }
        int colon = brokerAddress.lastIndexOf(':');
        if (!external && (colon <= 0 || !brokerAddress.substring(colon + 1).matches("\\d{1,5}"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--broker-address must be host:port, got " + brokerAddress);
        }
        Properties all = kafka.properties();
        if (router || pool > 0) {
            ensureModel(all);
        }
        Path data = (dataDir != null ? dataDir : Paths.dataHome()).toAbsolutePath().normalize();
        Properties streamsState = new Properties();
        streamsState.put(StreamsConfig.STATE_DIR_CONFIG, data.resolve("streams").toString());

        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        StopSignals.install(() -> {
            LOG.info("up: stopping (in order: router, workers, analytics, broker)");
            done.countDown();
        }, closed, Duration.ofSeconds(180));

        EmbeddedBroker broker = null;
        RouterRole routerRole = null;
        WorkerRole workerRole = null;
        AnalyticsRole analyticsRole = null;
        StatsHttpServer http = null;
        try {
            if (!external) {
                Path kafkaDir = data.resolve("kafka");
                LOG.info("up: starting the Kafka broker (KRaft) on {} with data in {}{}", brokerAddress, kafkaDir,
                        EmbeddedBroker.isFormatted(kafkaDir) ? " (kept from an earlier run)" : " (new)");
                broker = LocalBroker.persistent(kafkaDir, brokerAddress.substring(0, colon),
                        Integer.parseInt(brokerAddress.substring(colon + 1)), controllerPort);
                all.setProperty("bootstrap.servers", broker.bootstrapServers());
            }
            String bootstrap = all.getProperty("bootstrap.servers");
            // the topics exist whatever runs here, so producers and consumers in other terminals find them
            TopicSetup.ensure(KafkaRoleOptions.clientProperties(all), new RouterConfig(all));
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            if (router) {
                routerRole = new RouterRole(all, metrics, streamsState);
                routerRole.streams().setStateListener((n, o) -> {
                    if (n == KafkaStreams.State.ERROR) {
                        LOG.error("up: the router stopped with an error; shutting down");
                        failed.set(true);
                        done.countDown();
                    }
                });
                routerRole.start();
            }
            if (pool > 0) {
                workerRole = new WorkerRole(all, WorkerRole.processId(), pool, metrics).start();
                WorkerRole w = workerRole;
                Thread watch = new Thread(() -> {
                    try {
                        if (!w.await()) {
                            LOG.error("up: a worker stopped with an error; shutting down");
                            failed.set(true);
                            done.countDown();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "pabee-up-workers");
                watch.setDaemon(true);
                watch.start();
            }
            if (analytics) {
                analyticsRole = new AnalyticsRole(all, metrics, streamsState).start();
            }
            if (httpPort > 0 && (router || analytics || pool > 0)) {
                http = new StatsHttpServer(httpPort, metrics, analyticsRole == null ? null : analyticsRole::streams);
            }
            printHowTo(spec.commandLine().getOut(), bootstrap, broker != null ? data : null, router, pool, analytics,
                    http == null ? 0 : http.port());
            done.await();
            return failed.get() ? 1 : 0;
        } finally {
            // upstream first: the router stops producing continuations, the workers finish (commit or abort) their
            // transactions and leave the group, the analytics commit their windows; the broker goes last
            closeLogged("router", routerRole);
            closeLogged("workers", workerRole);
            closeLogged("analytics", analyticsRole);
            closeLogged("http server", http);
            closeLogged("broker", broker);
            closed.countDown();
        }
    }

    /** Prepares the default model on first use, as demo does; a model directory the user named must exist already. */
    private void ensureModel(Properties all) throws Exception {
        Path dir = Path.of(all.getProperty(CommonConfigs.MODEL_DIR_CONFIG));
        if (dir.equals(Paths.modelsHome().resolve(CommonConfigs.DEFAULT_BASE))) {
            PrintWriter err = spec.commandLine().getErr();
            ModelPreparer.ensurePrepared(BaseModel.parse(CommonConfigs.DEFAULT_BASE), dir, m -> err.println("prepare: " + m));
        }
    }

    private static void closeLogged(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            c.close();
            LOG.info("up: {} stopped ({} ms)", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (Exception e) {
            LOG.warn("up: closing the {} failed: {}", what, e.toString());
        }
    }

    private static void printHowTo(PrintWriter out, String bootstrap, Path brokerData, boolean router, int workers,
                                   boolean analytics, int httpPort) {
        String b = bootstrap.equals(DEFAULT_BOOTSTRAP) ? "" : " --bootstrap-servers " + bootstrap;
        out.printf("%s: broker %s%s; %s, %d worker(s), %s%s%n", READY, bootstrap,
                brokerData != null ? " (data in " + brokerData + ")" : " (external)",
                router ? "router" : "no router", workers, analytics ? "analytics" : "no analytics",
                httpPort > 0 ? "; /stats and /metrics on http://localhost:" + httpPort : "");
        List<String[]> how = new ArrayList<>();
        how.add(new String[] {"ops/pabee produce" + b + " --input texts.txt", "one text per line ('-' = stdin; --format jsonl|tsv)"});
        how.add(new String[] {"ops/pabee consume" + b + " --from-beginning", "follow the results (--json: one object per line)"});
        how.add(new String[] {"ops/pabee stats" + b, "the latest exit-statistics windows"});
        how.add(new String[] {"ops/pabee worker" + b, "one more worker: takes partitions; Ctrl-C hands them back"});
        if (!router) {
            how.add(new String[] {"ops/pabee router" + b, "the router, as its own process"});
        }
        if (!analytics) {
            how.add(new String[] {"ops/pabee analytics" + b, "the analytics, as its own process"});
        }
        int width = how.stream().mapToInt(h -> h[0].length()).max().orElse(0);
        out.println("From other terminals:");
        for (String[] h : how) {
            out.printf("  %-" + width + "s   %s%n", h[0], h[1]);
        }
        out.println("Ctrl-C stops everything cleanly (open transactions are committed or aborted).");
        out.flush();
    }
}
