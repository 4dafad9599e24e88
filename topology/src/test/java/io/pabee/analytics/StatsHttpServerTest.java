package io.pabee.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Every role's endpoint: Prometheus format, exact paths, GET/HEAD only, validated parameters, slow clients cut. */
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
            assertThat(send(port, "GET", "/-/healthyXYZ").statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/metrics").statusCode()).isEqualTo(200);
            assertThat(send(port, "GET", "/metricsXYZ").statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/metrics/x").statusCode()).isEqualTo(404);
            assertThat(send(port, "GET", "/statsXYZ").statusCode()).isEqualTo(404);
            for (String method : new String[] {"POST", "DELETE", "PUT", "PATCH"}) {
                HttpResponse<String> r = send(port, method, "/metrics");
                assertThat(r.statusCode()).as(method).isEqualTo(405);
                assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
                assertThat(send(port, method, "/-/healthy").statusCode()).as(method).isEqualTo(405);
            }
            HttpResponse<String> headMetrics = send(port, "HEAD", "/metrics");
            assertThat(headMetrics.statusCode()).isEqualTo(200);
            assertThat(headMetrics.body()).isEmpty();
            HttpResponse<String> head = send(port, "HEAD", "/stats?minutes=abc");
            assertThat(head.statusCode()).isEqualTo(400);
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void shouldAnswerBadMinutesWith400AndAOneLineReason() throws Exception {
        try (StatsHttpServer http = new StatsHttpServer(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> {
            throw new IllegalStateException("not running");
        })) {
            for (String bad : new String[] {"abc", "", "1.5", "0", "-1", "10081", "99999999999999999999", "1e3", "%20"}) {
                HttpResponse<String> r = send(http.port(), "GET", "/stats?minutes=" + bad);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(r.body()).as(bad).contains("minutes").doesNotContain("\n");
            }
            assertThat(send(http.port(), "GET", "/stats?minutes=10080").statusCode()).isEqualTo(503); // in range
            assertThat(send(http.port(), "GET", "/stats?minutes=1").statusCode()).isEqualTo(503);
        }
    }

    /** Request line and headers without the final CRLF, then silence with the socket open. */
    private static Socket stall(int port, String path) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Milliseconds until another client has its whole answer, which must be {@code code}. */
    private static long answerMillis(int port, String path, int code) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(30)).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(java.time.Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(code);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void shouldServeOthersWhileAClientStallsInItsHeaders() throws Exception {
        try (StatsHttpServer http = new StatsHttpServer(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> {
            throw new IllegalStateException("not running");
        }); Socket slowMetrics = stall(http.port(), "/metrics"); Socket slowStats = stall(http.port(), "/stats")) {
            Thread.sleep(200); // both stalled requests have reached a pool thread
            // The stalled case used to block every other client until the stalled one left.
            assertThat(answerMillis(http.port(), "/metrics", 200)).isLessThan(1_000);
            assertThat(answerMillis(http.port(), "/stats?minutes=5", 503)).isLessThan(1_000);
            assertThat(answerMillis(http.port(), "/-/healthy", 200)).isLessThan(1_000);
        }
    }

    @Test
    void shouldCutStalledClientsAfterTheReadTimeoutEvenWhenTheyOutnumberThePool() throws Exception {
        try (StatsHttpServer http = new StatsHttpServer(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null)) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 2 * StatsHttpServer.THREADS; i++) {
                    stalled.add(stall(http.port(), "/metrics"));
                }
                Thread.sleep(200);
                // every pool thread is held by a stalled client: the next one waits for the read timeout, not forever
                long ms = answerMillis(http.port(), "/metrics", 200);
                assertThat(ms).isLessThan((StatsHttpServer.READ_TIMEOUT_S + 3) * 1_000);
                long t0 = System.nanoTime();
                for (Socket s : stalled) {
                    s.setSoTimeout((int) (StatsHttpServer.READ_TIMEOUT_S + 5) * 1_000);
                    assertThat(closedByServer(s.getInputStream())).isTrue(); // a SocketTimeoutException fails the test
                }
                System.out.printf("stalled clients: next client answered after %d ms, all %d stalled connections closed %d ms later%n",
                        ms, stalled.size(), (System.nanoTime() - t0) / 1_000_000);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    /** True once the server closed the connection without answering (end of stream or reset). */
    private static boolean closedByServer(InputStream in) throws Exception {
        try {
            return in.read() == -1;
        } catch (SocketException reset) {
            return true;
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
