package io.pabee.stage;

/** Where stages run: {@code cpu}, or {@code cuda} / {@code cuda:N} (falls back to CPU, logged, when CUDA is unusable). */
public record ExecutionDevice(boolean cuda, int deviceId) {
    public static final ExecutionDevice CPU = new ExecutionDevice(false, 0);

    public static ExecutionDevice parse(String spec) {
        String s = spec.trim().toLowerCase();
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda") || s.equals("gpu")) {
            return new ExecutionDevice(true, 0);
        }
        if (s.startsWith("cuda:")) {
            try {
                int id = Integer.parseInt(s.substring(5));
                if (id >= 0) {
                    return new ExecutionDevice(true, id);
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "'; use cpu, cuda or cuda:<id>");
    }

    @Override
    public String toString() {
        return cuda ? "cuda:" + deviceId : "cpu";
    }
}
