package io.pabee.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.schema.ExitStats;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * The HTTP endpoint of every role: {@code GET /metrics} (the Prometheus exporter's own handler, in the
 * format the scraper asks for), {@code GET /-/healthy}, and for analytics {@code GET /stats?minutes=N}: the
 * exit-stats windows of the last N minutes (interactive query, JSON). Paths are exact (everything else is
 * 404), only GET and HEAD are served (405 with {@code Allow} otherwise), a bad {@code minutes} is 400 with a
 * one-line reason.
 *
 * <p>Served by the JDK's {@link HttpServer} on a bounded pool ({@link #THREADS} threads, {@link #QUEUE}
 * waiting connections, beyond that a connection is closed): the exporter's {@code HTTPServer} matches
 * {@code /metrics} as a prefix and answers any method there, and its pool blocks the accepting thread when
 * full. The JDK server reads a request on a pool thread, so a client that never finishes its headers holds
 * one thread: {@link #READ_TIMEOUT_S} (and {@link #WRITE_TIMEOUT_S} for a client that never reads its answer)
 * cut such a connection, and idle keep-alive connections close after {@link #IDLE_TIMEOUT_S}.
 */
public final class StatsHttpServer implements AutoCloseable {
    /** Requests served at once; a stalled client occupies one of them until the read timeout. */
    static final int THREADS = 4;
    /** Accepted connections waiting for a thread. */
    static final int QUEUE = 64;
    /** Seconds a client may take to send its request line and headers. */
    static final long READ_TIMEOUT_S = 5;
    /** Seconds a client may take to read an answer. */
    static final long WRITE_TIMEOUT_S = 10;
    /** Seconds an idle keep-alive connection stays open. */
    static final long IDLE_TIMEOUT_S = 30;

    static {
        // The JDK server reads its timeouts once, from system properties, when its first instance is
        // created; an operator's -D setting wins.
        defaultProperty("sun.net.httpserver.maxReqTime", READ_TIMEOUT_S);
        defaultProperty("sun.net.httpserver.maxRspTime", WRITE_TIMEOUT_S);
        defaultProperty("sun.net.httpserver.idleInterval", IDLE_TIMEOUT_S);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SERVERS = new AtomicInteger();
    private final HttpServer server;
    private final ThreadPoolExecutor pool;

    public StatsHttpServer(int port, PrometheusMeterRegistry registry, Supplier<KafkaStreams> analytics) throws IOException {
        int n = SERVERS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "pabee-http-" + n + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }); // AbortPolicy: the JDK server closes a connection its executor refuses
        pool.allowCoreThreadTimeOut(true);
        MetricsHandler metrics = new MetricsHandler(registry.getPrometheusRegistry());
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(pool);
        server.createContext("/", ex -> route(ex, metrics, analytics));
        server.start();
    }

    private static void defaultProperty(String name, long value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, Long.toString(value));
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Exact paths, GET and HEAD only. */
    private static void route(HttpExchange ex, HttpHandler metrics, Supplier<KafkaStreams> analytics) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean known = path.equals("/metrics") || path.equals("/-/healthy") || analytics != null && path.equals("/stats");
            if (!known) {
                reply(ex, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (path) {
                case "/metrics" -> {
                    if (method.equals("HEAD")) {
                        reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", "");
                    } else {
                        metrics.handle(ex);
                    }
                }
                case "/-/healthy" -> reply(ex, 200, "text/plain; charset=utf-8", "Exporter is healthy.\n");
                default -> stats(ex, analytics);
            }
        }
    }

    private static void stats(HttpExchange ex, Supplier<KafkaStreams> analytics) throws IOException {
        long minutes;
        try {
            minutes = minutes(ex.getRequestURI().getQuery());
        } catch (IllegalArgumentException e) {
            reply(ex, 400, "application/json", JSON.writeValueAsString(Map.of("error", e.getMessage())));
            return;
        }
        try {
            reply(ex, 200, "application/json", JSON.writeValueAsString(windows(analytics.get(), minutes)));
        } catch (RuntimeException e) {
            reply(ex, 503, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(e.getMessage()))));
        }
    }

    /** {@code minutes=N} (1..10080, default 10); anything else in the query is a bad request. */
    static long minutes(String query) {
        if (query == null || query.isEmpty()) {
            return 10;
        }
        if (!query.startsWith("minutes=") || query.contains("&")) {
            throw new IllegalArgumentException("the only parameter is minutes=N");
        }
        try {
            long m = Long.parseLong(query.substring("minutes=".length()));
            if (m < 1 || m > 10_080) {
                throw new IllegalArgumentException("minutes must be in 1..10080, got " + m);
            }
            return m;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("minutes must be a whole number in 1..10080");
        }
    }

    /** The windows of the last {@code minutes}, oldest first, from the queryable store. */
    public static List<Map<String, Object>> windows(KafkaStreams streams, long minutes) {
        ReadOnlyWindowStore<String, MergedExitWindow> store = streams.store(StoreQueryParameters.fromNameAndType(
                AnalyticsTopology.STATS_STORE, QueryableStoreTypes.windowStore()));
        Instant to = Instant.now().plusSeconds(3600);
        Instant from = Instant.now().minusSeconds(minutes * 60);
        List<Map<String, Object>> out = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, MergedExitWindow> it = store.fetchAll(from, to)) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, MergedExitWindow> kv = it.next();
                ExitStats s = kv.value.toStats(kv.key.window().start(), kv.key.window().end());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("window_start", s.getWindowStart());
                m.put("window_end", s.getWindowEnd());
                m.put("count", s.getCount());
                m.put("exit_histogram", s.getExitHistogram());
                m.put("mean_exit_layer", s.getMeanExitLayer());
                m.put("speedup", s.getSpeedup());
                m.put("records_per_s", s.getRecordsPerS());
                m.put("latency_p50_ms", s.getLatencyP50Ms());
                m.put("latency_p95_ms", s.getLatencyP95Ms());
                m.put("latency_p99_ms", s.getLatencyP99Ms());
                m.put("router_share", s.getRouterShare());
                m.put("lowered_load", s.getLoweredLoad());
                m.put("lowered_budget", s.getLoweredBudget());
                m.put("degraded_share", s.getDegradedShare());
                m.put("mean_patience_used", s.getMeanPatienceUsed());
                m.put("mean_router_layers", s.getMeanRouterLayers());
                m.put("shadow_count", s.getShadowCount());
                m.put("shadow_agreement", s.getShadowAgreement());
                out.add(m);
            }
        }
        return out;
    }

    private static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : b.length);
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
