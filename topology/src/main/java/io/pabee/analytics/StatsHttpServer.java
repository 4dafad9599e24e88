package io.pabee.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.schema.ExitStats;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * The HTTP endpoint of every role, served by the Prometheus exporter's server (bounded thread pool):
 * {@code GET /metrics} in the format the scraper asks for, {@code GET /-/healthy}, and for analytics
 * {@code GET /stats?minutes=N}: the exit-stats windows of the last N minutes (interactive query, JSON).
 * Every other path is 404; {@code /stats} answers 405 to methods other than GET and HEAD and 400 to a
 * bad {@code minutes}.
 */
public final class StatsHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HTTPServer server;

    public StatsHttpServer(int port, PrometheusMeterRegistry registry, Supplier<KafkaStreams> analytics) throws IOException {
        server = HTTPServer.builder().port(port).registry(registry.getPrometheusRegistry())
                .defaultHandler(ex -> route(ex, analytics)).buildAndStart();
    }

    public int port() {
        return server.getPort();
    }

    /** Everything that is not /metrics or /-/healthy: only /stats exists, and only for analytics. */
    private static void route(HttpExchange ex, Supplier<KafkaStreams> analytics) throws IOException {
        try (ex) {
            if (analytics == null || !ex.getRequestURI().getPath().equals("/stats")) {
                reply(ex, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
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
            throw new IllegalArgumentException("minutes must be a whole number");
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
        server.close();
    }
}
