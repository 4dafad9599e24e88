package io.pabee.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Every role's /metrics serves the Prometheus text format of its registry. */
class StatsHttpServerTest {

    @Test
    void shouldServeMetricsInPrometheusFormat() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("pabee_exits_total", "site", "router", "layer", "5").increment(3);
        try (StatsHttpServer http = new StatsHttpServer(0, registry, null)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(r.body()).contains("pabee_exits_total{layer=\"5\",site=\"router\"} 3.0");
            HttpResponse<String> missing = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404); // only the analytics role serves /stats
        }
    }

    private static HttpResponse<String> send(int port, String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeExactPathsOnlyWithGetOrHeadAndRejectBadParameters() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // analytics whose store is not queryable yet: a well-formed /stats request gets 503, never a crash
        try (StatsHttpServer http = new StatsHttpServer(0, registry, () -> {
            throw new IllegalStateException("not running");
        })) {
            int port = http.port();
            assertThat(send(port, "GET", "/stats?minutes=5").statusCode()).isEqualTo(503);
            assertThat(send(port, "GET", "/stats").statusCode()).isEqualTo(503);
            HttpResponse<String> post = send(port, "POST", "/stats");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(send(port, "DELETE", "/stats?minutes=5").statusCode()).isEqualTo(405);
            assertThat(send(port, "GET", "/stats?minutes=abc").statusCode()).isEqualTo(400);
            assertThat(send(port, "GET", "/stats?minutes=-3").statusCode()).isEqualTo(400);
            assertThat(send(port, "GET", "/stats?hours=1").statusCode()).isEqualTo(400);
            assertThat(send(port, "GET", "/stats/extra").statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/").statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/anything").statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/-/healthy").statusCode()).isEqualTo(200);
            HttpResponse<String> head = send(port, "HEAD", "/stats?minutes=abc");
            assertThat(head.statusCode()).isEqualTo(400);
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void shouldReadMinutesOrDefaultToTen() {
        assertThat(StatsHttpServer.minutes(null)).isEqualTo(10);
        assertThat(StatsHttpServer.minutes("")).isEqualTo(10);
        assertThat(StatsHttpServer.minutes("minutes=60")).isEqualTo(60);
        for (String bad : new String[] {"minutes=0", "minutes=x", "minutes=5&x=1", "min=5", "minutes=99999999"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> StatsHttpServer.minutes(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
