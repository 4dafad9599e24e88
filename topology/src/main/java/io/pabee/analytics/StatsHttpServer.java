package io.pabee.analytics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pabee.schema.ExitStats;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
 * {@code GET /metrics} (Prometheus text format) for every role, and for analytics
 * {@code GET /stats?minutes=N}: the exit-stats windows of the last N minutes (interactive query, JSON).
 */
public final class StatsHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    public StatsHttpServer(int port, PrometheusMeterRegistry registry, Supplier<KafkaStreams> analytics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4", registry.scrape()));
        if (analytics != null) {
            server.createContext("/stats", ex -> {
                try {
                    String q = ex.getRequestURI().getQuery();
                    long minutes = q != null && q.startsWith("minutes=") ? Long.parseLong(q.substring(8)) : 10;
                    reply(ex, 200, "application/json", JSON.writeValueAsString(windows(analytics.get(), minutes)));
                } catch (RuntimeException e) {
                    reply(ex, 503, "application/json", JSON.writeValueAsString(Map.of("error", String.valueOf(e.getMessage()))));
                }
            });
        }
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
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
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
