package io.pabee.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every released version of every schema (from {@code schema-history/} on the classpath), looked up
 * by the CRC-64-AVRO fingerprint that single-object encoding puts in each message, so a reader
 * built for the current version can decode what an older writer wrote.
 */
public final class SchemaHistory implements SchemaStore {
    /** The history shipped with this build. */
    public static final SchemaHistory INSTANCE = load();

    private final Map<Long, Schema> byFingerprint;
    private final Map<String, List<Schema>> byName;

    private SchemaHistory(Map<Long, Schema> byFingerprint, Map<String, List<Schema>> byName) {
        this.byFingerprint = byFingerprint;
        this.byName = byName;
    }

    private static SchemaHistory load() {
        Map<Long, Schema> fp = new LinkedHashMap<>();
        Map<String, List<Schema>> names = new LinkedHashMap<>();
        ClassLoader cl = SchemaHistory.class.getClassLoader();
        try (InputStream idx = cl.getResourceAsStream("schema-history/index.txt")) {
            if (idx == null) {
                throw new IllegalStateException("schema-history/index.txt missing from the classpath");
            }
            for (String file : new BufferedReader(new InputStreamReader(idx, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(s -> s.endsWith(".avsc")).toList()) {
                try (InputStream in = cl.getResourceAsStream("schema-history/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("schema-history/" + file + " listed but missing");
                    }
                    Schema s = new Schema.Parser().parse(in);
                    fp.put(SchemaNormalization.parsingFingerprint64(s), s);
                    names.computeIfAbsent(s.getFullName(), k -> new ArrayList<>()).add(s);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SchemaHistory(Collections.unmodifiableMap(fp), Collections.unmodifiableMap(names));
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    /** Every released version of a record, oldest first. */
    public List<Schema> versions(String fullName) {
        return byName.getOrDefault(fullName, List.of());
    }

    /** All versions of all schemas, by fingerprint. */
    public Map<Long, Schema> all() {
        return byFingerprint;
    }

    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }
}
