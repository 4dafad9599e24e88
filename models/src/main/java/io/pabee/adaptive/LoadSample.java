package io.pabee.adaptive;

/**
 * One control interval's measurements: {@code backlog} records waiting at its end (input lag plus
 * buffered), {@code served} records finished during it, and {@code ageMs} the largest event-time age
 * (now - event_time) of the records started during it, -1 when none started.
 */
public record LoadSample(long nowMs, long intervalMs, long backlog, long served, long ageMs) {
}
