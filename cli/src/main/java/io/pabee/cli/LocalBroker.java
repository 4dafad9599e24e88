package io.pabee.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pabee.broker.EmbeddedBroker;
import io.pabee.broker.KafkaBroker;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The broker of the one-machine commands (demo, bench): Kafka's own start-up warnings about an
 * embedded, single-node, temp-dir setup are noise there, so those commands log Kafka at ERROR;
 * the long-running roles keep WARN ({@code pabee up}, whose broker is this one, logs Kafka at ERROR too).
 */
final class LocalBroker {
    private LocalBroker() {
    }

    /** An embedded KRaft broker in this JVM (it can be stopped and restarted). */
    static EmbeddedBroker embedded() throws Exception {
        quietKafka();
        return EmbeddedBroker.start();
    }

    /**
     * An embedded KRaft broker in this JVM on {@code host:port} whose logs and metadata stay in
     * {@code dataDir} (formatted on first use) after it stops: {@code pabee up}'s broker.
     */
    static EmbeddedBroker persistent(Path dataDir, String host, int port, int controllerPort) {
        quietKafka();
        return EmbeddedBroker.open(dataDir, host, port, controllerPort, Map.of());
    }

    /** A running cluster at {@code bootstrap}, reached through the client helpers; closing it leaves the cluster alone. */
    static KafkaBroker at(String bootstrap) {
        return new KafkaBroker() {
            @Override
            public String bootstrapServers() {
                return bootstrap;
            }

            @Override
            public void close() {
            }
        };
    }

    private static void quietKafka() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
            for (String name : new String[] {"org.apache.kafka", "kafka", "state.change.logger"}) {
                Logger l = ctx.getLogger(name);
                if (l.getLevel() == null || l.getLevel().isGreaterOrEqual(Level.WARN)) {
                    l.setLevel(Level.ERROR);
                }
            }
        }
    }
}
