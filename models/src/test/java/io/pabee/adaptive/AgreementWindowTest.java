package io.pabee.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Agreement counts since a time, overall and for lowered records, in bounded memory, from many threads. */
class AgreementWindowTest {
    @Test
    void shouldCountAgreementOverallAndForLoweredRecords() {
        AgreementWindow w = new AgreementWindow(Duration.ofSeconds(1), Duration.ofMinutes(1));
        long t = 1_000_000;
        w.add(true, null, t);
        w.add(true, null, t + 10);
        w.add(false, null, t + 20);
        w.add(true, "load", t + 30);
        w.add(false, "budget", t + 40);
        w.add(false, "load", t + 50);
        AgreementWindow.Agreement a = w.agreement(t);
        assertThat(a.count()).isEqualTo(6);
        assertThat(a.agreeing()).isEqualTo(3);
        assertThat(a.share()).isEqualTo(0.5);
        assertThat(a.loweredCount()).isEqualTo(3);
        assertThat(a.loweredAgreeing()).isEqualTo(1);
        assertThat(a.loweredShare()).isEqualTo(1.0 / 3);
    }

    @Test
    void shouldCountOnlyRunsSinceTheGivenTimeToTheBucket() {
        AgreementWindow w = new AgreementWindow(Duration.ofSeconds(1), Duration.ofMinutes(1));
        w.add(false, null, 10_000);
        w.add(false, null, 10_999);
        w.add(true, null, 11_000);
        w.add(true, "load", 12_500);
        assertThat(w.agreement(11_000).count()).isEqualTo(2);
        assertThat(w.agreement(11_000).share()).isEqualTo(1.0);
        assertThat(w.agreement(11_700).count()).as("the bucket holding the start counts whole").isEqualTo(2);
        assertThat(w.agreement(12_000).loweredCount()).isEqualTo(1);
        assertThat(w.agreement(13_000).count()).isZero();
        assertThat(w.agreement(13_000).share()).isNaN();
        assertThat(w.agreement(13_000).loweredShare()).isNaN();
    }

    @Test
    void shouldForgetRunsOlderThanItsSpan() {
        AgreementWindow w = new AgreementWindow(Duration.ofSeconds(1), Duration.ofSeconds(10));
        for (long s = 0; s < 100; s++) {
            w.add(s % 2 == 0, null, s * 1000);
        }
        // only the last 10 buckets are kept, whatever the query asks for
        assertThat(w.agreement(0).count()).isEqualTo(10);
        assertThat(w.agreement(0).share()).isEqualTo(0.5);
        w.add(true, null, 5_000); // older than the span now: ignored
        assertThat(w.agreement(0).count()).isEqualTo(10);
    }

    @Test
    void shouldCountEveryRunAddedFromManyThreads() throws InterruptedException {
        AgreementWindow w = new AgreementWindow();
        long t = 5_000_000;
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    w.add(i % 4 != 0, i % 10 == 0 ? "load" : null, t + i % 3000);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        AgreementWindow.Agreement a = w.agreement(t);
        assertThat(a.count()).isEqualTo(40_000);
        assertThat(a.agreeing()).isEqualTo(30_000);
        assertThat(a.loweredCount()).isEqualTo(4_000);
    }
}
