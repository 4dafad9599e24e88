package io.pabee.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Security settings in --config reach the Kafka clients unchanged, and the secret is masked when configs are logged. */
class KafkaRoleOptionsTest {

    @Test
    void shouldPassSaslSslSettingsThroughAndKeepTheSecretMasked(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("client.properties");
        Files.copy(Path.of("../ops/config/client-sasl-ssl.properties"), cfg);
        Files.writeString(cfg, Files.readString(cfg).replace("${env:PABEE_KAFKA_PASSWORD}", "s3cr3t-value"));
        KafkaRoleOptions o = new KafkaRoleOptions();
        new CommandLine(new Object() {
            @CommandLine.Mixin
            KafkaRoleOptions opts = o;
        }).parseArgs("--config", cfg.toString(), "--set", "pabee.router.layers=4");
        Properties all = o.properties();
        Properties client = KafkaRoleOptions.clientProperties(all);
        assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKey("sasl.jaas.config").containsKey("ssl.truststore.location");
        assertThat(client.keySet()).noneMatch(k -> k.toString().startsWith("pabee."));
        assertThat(all).containsEntry("pabee.router.layers", "4");

        client.put("key.serializer", ByteArraySerializer.class.getName());
        client.put("value.serializer", ByteArraySerializer.class.getName());
        client.remove("config.providers");
        client.remove("config.providers.env.class");
        ProducerConfig parsed = new ProducerConfig(client);
        Password jaas = parsed.getPassword("sasl.jaas.config");
        assertThat(jaas.value()).contains("s3cr3t-value");
        // what Kafka prints when it logs the config: the secret never appears
        assertThat(jaas.toString()).isEqualTo("[hidden]");
        assertThat(parsed.values().toString()).doesNotContain("s3cr3t-value");
    }
}
