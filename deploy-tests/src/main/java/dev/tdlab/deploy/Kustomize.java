package dev.tdlab.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small kustomize in Java: renders a kustomization directory the way {@code kubectl kustomize}
 * does, for the subset of kustomize that tdlab's {@code k8s/} uses, and refuses anything else (so a
 * manifest that starts using another feature fails the build instead of rendering wrongly).
 *
 * <p>Supported: {@code resources} (files and kustomization directories), {@code namespace},
 * {@code labels} (pairs; without selectors), {@code commonAnnotations}, {@code images}
 * (name → newName/newTag/digest, in every {@code containers}/{@code initContainers} list),
 * {@code replicas}, {@code patches} (strategic-merge or JSON 6902, inline or from a file, with or
 * without a {@code target}: group, version, kind, name regex, namespace, label and annotation
 * selectors of the {@code k=v,k2=v2} form) and {@code configMapGenerator} (files and literals with
 * {@code disableNameSuffixHash: true}). Transformers run in kustomize's order: patches, namespace,
 * labels, annotations, replicas, images.
 *
 * <p>Strategic merge: for the built-in kinds, lists merge by their Kubernetes patch merge key
 * ({@code containers}, {@code env}, {@code volumes} … by name, {@code volumeMounts} by mountPath,
 * ports by port number), patch items first, as kustomize orders them; other lists are replaced.
 * For custom resources kustomize has no schema, so the patch is a JSON merge patch (RFC 7386): maps
 * merge, lists are replaced, {@code null} deletes.
 *
 * <p>{@code java -cp ... dev.tdlab.deploy.Kustomize k8s/overlays/gpu} prints the rendered YAML.
 */
public final class Kustomize {

    static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .build();

    private static final Set<String> KNOWN_FIELDS = Set.of("apiVersion", "kind", "resources", "namespace", "labels",
            "commonAnnotations", "images", "replicas", "patches", "configMapGenerator");

    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "RuntimeClass",
            "IngressClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "Node",
            "ClusterIssuer", "ClusterPolicy");

    /** API groups whose kinds kustomize knows the schema of (strategic merge with merge keys). */
    private static final Set<String> BUILTIN_GROUPS = Set.of("", "apps", "batch", "policy", "autoscaling",
            "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io");

    private static final Set<String> REPLICA_KINDS = Set.of("Deployment", "ReplicaSet", "StatefulSet",
            "ReplicationController");

    private Kustomize() {
    }

    /** Renders the kustomization in {@code dir}: every resource, transformed. */
    public static List<ObjectNode> render(Path dir) {
        Path file = kustomizationFile(dir);
        ObjectNode k = (ObjectNode) readAll(file).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException(file + " is empty"));
        for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN_FIELDS.contains(f)) {
                throw new UnsupportedOperationException(file + ": kustomization field '" + f + "' is not supported here");
            }
        }
        List<ObjectNode> res = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                res.addAll(render(p));
            } else {
                for (JsonNode d : readAll(p)) {
                    res.add((ObjectNode) d);
                }
            }
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            res.add(configMap(dir, (ObjectNode) g));
        }
        checkUnique(res, file);
        for (JsonNode p : k.path("patches")) {
            applyPatch(dir, res, (ObjectNode) p);
        }
        if (k.hasNonNull("namespace")) {
            String ns = k.get("namespace").asText();
            for (ObjectNode r : res) {
                if (!CLUSTER_SCOPED.contains(r.path("kind").asText())) {
                    meta(r).put("namespace", ns);
                }
            }
        }
        for (JsonNode l : k.path("labels")) {
            if (l.path("includeSelectors").asBoolean(false)) {
                throw new UnsupportedOperationException(file + ": labels with includeSelectors");
            }
            for (ObjectNode r : res) {
                l.path("pairs").fields().forEachRemaining(e -> meta(r).with("labels").set(e.getKey(), e.getValue()));
                if (l.path("includeTemplates").asBoolean(false) && r.path("spec").path("template").isObject()) {
                    l.path("pairs").fields().forEachRemaining(e -> ((ObjectNode) r.get("spec").get("template"))
                            .with("metadata").with("labels").set(e.getKey(), e.getValue()));
                }
            }
        }
        if (k.path("commonAnnotations").isObject()) {
            for (ObjectNode r : res) {
                k.get("commonAnnotations").fields().forEachRemaining(e -> {
                    meta(r).with("annotations").set(e.getKey(), e.getValue());
                    if (r.path("spec").path("template").isObject()) {
                        ((ObjectNode) r.get("spec").get("template")).with("metadata").with("annotations")
                                .set(e.getKey(), e.getValue());
                    }
                });
            }
        }
        for (JsonNode rep : k.path("replicas")) {
            boolean found = false;
            for (ObjectNode r : res) {
                if (REPLICA_KINDS.contains(r.path("kind").asText())
                        && rep.path("name").asText().equals(r.path("metadata").path("name").asText())) {
                    r.with("spec").put("replicas", rep.path("count").asInt());
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalArgumentException(file + ": replicas for unknown workload " + rep.path("name").asText());
            }
        }
        for (JsonNode img : k.path("images")) {
            for (ObjectNode r : res) {
                images(r, img);
            }
        }
        return res;
    }

    /** The rendered resources as one multi-document YAML text. */
    public static String toYaml(List<ObjectNode> resources) {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode r : resources) {
            if (!sb.isEmpty()) {
                sb.append("---\n");
            }
            try {
                sb.append(YAML.writeValueAsString(r));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }

    /** Every YAML document of a file or text (empty documents skipped). */
    public static List<JsonNode> readAll(Path file) {
        try {
            return readAll(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    public static List<JsonNode> readAll(String text) {
        List<JsonNode> out = new ArrayList<>();
        try (JsonParser p = YAML.getFactory().createParser(text);
             MappingIterator<JsonNode> it = YAML.readValues(p, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** "group/kind/namespace/name" of a resource. */
    public static String id(JsonNode r) {
        return group(r) + "/" + r.path("kind").asText() + "/" + r.path("metadata").path("namespace").asText("")
                + "/" + r.path("metadata").path("name").asText();
    }

    static String group(JsonNode r) {
        String av = r.path("apiVersion").asText();
        int slash = av.indexOf('/');
        return slash < 0 ? "" : av.substring(0, slash);
    }

    static String version(JsonNode r) {
        String av = r.path("apiVersion").asText();
        return av.substring(av.indexOf('/') + 1);
    }

    private static Path kustomizationFile(Path dir) {
        for (String n : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        throw new IllegalArgumentException("no kustomization file in " + dir);
    }

    private static void checkUnique(List<ObjectNode> res, Path file) {
        Set<String> seen = new java.util.HashSet<>();
        for (ObjectNode r : res) {
            if (!seen.add(id(r))) {
                throw new IllegalArgumentException(file + ": resource " + id(r) + " declared twice");
            }
        }
    }

    private static ObjectNode meta(ObjectNode r) {
        return r.with("metadata");
    }

    // ---- generators ------------------------------------------------------------------------

    private static ObjectNode configMap(Path dir, ObjectNode g) {
        ObjectNode options = g.path("options").isObject() ? (ObjectNode) g.get("options") : JsonNodeFactory.instance.objectNode();
        if (!options.path("disableNameSuffixHash").asBoolean(false)) {
            throw new UnsupportedOperationException("configMapGenerator " + g.path("name").asText()
                    + ": only disableNameSuffixHash: true is supported (no hash suffixes)");
        }
        for (String f : List.of("envs", "behavior")) {
            if (g.has(f)) {
                throw new UnsupportedOperationException("configMapGenerator." + f);
            }
        }
        ObjectNode cm = JsonNodeFactory.instance.objectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        ObjectNode m = cm.putObject("metadata");
        m.put("name", g.path("name").asText());
        if (options.path("labels").isObject()) {
            m.set("labels", options.get("labels").deepCopy());
        }
        if (options.path("annotations").isObject()) {
            m.set("annotations", options.get("annotations").deepCopy());
        }
        ObjectNode data = cm.putObject("data");
        for (JsonNode lit : g.path("literals")) {
            String s = lit.asText();
            int eq = s.indexOf('=');
            data.put(s.substring(0, eq), s.substring(eq + 1));
        }
        for (JsonNode f : g.path("files")) {
            String s = f.asText();
            int eq = s.indexOf('=');
            String key = eq < 0 ? Path.of(s).getFileName().toString() : s.substring(0, eq);
            Path p = dir.resolve(eq < 0 ? s : s.substring(eq + 1)).normalize();
            if (!p.startsWith(dir.normalize())) {
                throw new IllegalArgumentException("configMapGenerator file " + p + " is outside " + dir
                        + " (kustomize's load restrictor refuses it)");
            }
            try {
                data.put(key, Files.readString(p, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cm;
    }

    // ---- patches ---------------------------------------------------------------------------

    private static void applyPatch(Path dir, List<ObjectNode> res, ObjectNode spec) {
        String text;
        if (spec.hasNonNull("path")) {
            try {
                text = Files.readString(dir.resolve(spec.get("path").asText()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (spec.hasNonNull("patch")) {
            text = spec.get("patch").asText();
        } else {
            throw new IllegalArgumentException(dir + ": a patch needs path or patch");
        }
        List<JsonNode> docs = readAll(text);
        ObjectNode given = spec.path("target").isObject() ? (ObjectNode) spec.get("target") : null;
        if (docs.isEmpty() || (docs.size() > 1 && (given != null || docs.get(0).isArray()))) {
            throw new UnsupportedOperationException(dir + ": a patch with a target holds exactly one document");
        }
        for (JsonNode patch : docs) { // several strategic-merge documents: each patches the resource it names
            applyPatch(dir, res, spec, patch, given);
        }
    }

    private static void applyPatch(Path dir, List<ObjectNode> res, ObjectNode spec, JsonNode patch, ObjectNode given) {
        ObjectNode target = given;
        if (target == null && patch.isArray()) {
            throw new IllegalArgumentException(dir + ": a JSON 6902 patch needs a target");
        }
        if (target == null) {
            target = JsonNodeFactory.instance.objectNode();
            target.put("kind", patch.path("kind").asText());
            target.put("name", Pattern.quote(patch.path("metadata").path("name").asText()));
            if (!group(patch).isEmpty()) {
                target.put("group", group(patch));
            }
            if (patch.path("metadata").hasNonNull("namespace")) {
                target.put("namespace", patch.path("metadata").path("namespace").asText());
            }
        }
        int matched = 0;
        for (ObjectNode r : res) {
            if (!matches(r, target)) {
                continue;
            }
            matched++;
            if (patch.isArray()) {
                Json6902.apply(r, (ArrayNode) patch);
            } else {
                boolean builtin = BUILTIN_GROUPS.contains(group(r));
                ObjectNode p = ((ObjectNode) patch).deepCopy();
                // the patch's own identity does not rename the target
                p.remove("apiVersion");
                p.remove("kind");
                if (p.path("metadata").isObject()) {
                    ((ObjectNode) p.get("metadata")).remove("name");
                    ((ObjectNode) p.get("metadata")).remove("namespace");
                }
                merge(r, p, builtin, "");
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(dir + ": patch " + (spec.has("path") ? spec.get("path").asText() : "")
                    + " matches no resource (target " + target + ")");
        }
    }

    static boolean matches(JsonNode r, ObjectNode t) {
        if (t.hasNonNull("kind") && !t.get("kind").asText().equals(r.path("kind").asText())) {
            return false;
        }
        if (t.hasNonNull("group") && !t.get("group").asText().equals(group(r))) {
            return false;
        }
        if (t.hasNonNull("version") && !t.get("version").asText().equals(version(r))) {
            return false;
        }
        if (t.hasNonNull("name") && !Pattern.matches(t.get("name").asText(), r.path("metadata").path("name").asText())) {
            return false;
        }
        if (t.hasNonNull("namespace")
                && !Pattern.matches(t.get("namespace").asText(), r.path("metadata").path("namespace").asText(""))) {
            return false;
        }
        return selects(t.path("labelSelector").asText(""), r.path("metadata").path("labels"))
                && selects(t.path("annotationSelector").asText(""), r.path("metadata").path("annotations"));
    }

    private static boolean selects(String selector, JsonNode labels) {
        if (selector.isBlank()) {
            return true;
        }
        for (String term : selector.split(",")) {
            String[] kv = term.trim().split("=", 2);
            if (kv.length != 2 || kv[0].endsWith("!") || term.contains(" in ") || term.contains("notin")) {
                throw new UnsupportedOperationException("selector '" + selector + "': only k=v terms are supported");
            }
            if (!kv[1].trim().equals(labels.path(kv[0].trim()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Strategic merge (builtin = true: lists with a merge key merge by it) or JSON merge patch
     * (builtin = false) of {@code patch} into {@code target}.
     */
    static void merge(ObjectNode target, ObjectNode patch, boolean builtin, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode pv = e.getValue();
            if (key.startsWith("$")) {
                throw new UnsupportedOperationException("strategic-merge directive " + key + " at " + path);
            }
            JsonNode tv = target.get(key);
            if (pv.isNull()) {
                target.remove(key);
            } else if (pv.isObject() && tv != null && tv.isObject()) {
                merge((ObjectNode) tv, (ObjectNode) pv, builtin, path + "/" + key);
            } else if (builtin && pv.isArray() && tv != null && tv.isArray() && mergeKey(key, pv, tv) != null) {
                target.set(key, mergeList((ArrayNode) tv, (ArrayNode) pv, mergeKey(key, pv, tv), path + "/" + key));
            } else {
                target.set(key, pv.deepCopy());
            }
        }
    }

    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "ephemeralContainers", "name", "env", "name",
            "volumes", "name", "volumeMounts", "mountPath", "imagePullSecrets", "name", "hostAliases", "ip");

    private static String mergeKey(String field, JsonNode patch, JsonNode target) {
        if ("ports".equals(field)) {
            JsonNode first = patch.size() > 0 ? patch.get(0) : target.get(0);
            return first != null && first.has("containerPort") ? "containerPort" : "port";
        }
        return MERGE_KEYS.get(field);
    }

    private static ArrayNode mergeList(ArrayNode target, ArrayNode patch, String key, String path) {
        Map<String, ObjectNode> byKey = new LinkedHashMap<>();
        for (JsonNode t : target) {
            byKey.put(t.path(key).asText(), (ObjectNode) t.deepCopy());
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        Set<String> done = new java.util.HashSet<>();
        for (JsonNode p : patch) { // patch items first, in the patch's order (kustomize's order)
            String k = p.path(key).asText();
            ObjectNode t = byKey.get(k);
            if (t == null) {
                out.add(p.deepCopy());
            } else {
                merge(t, (ObjectNode) p, true, path + "[" + k + "]");
                out.add(t);
            }
            done.add(k);
        }
        byKey.forEach((k, t) -> {
            if (!done.contains(k)) {
                out.add(t);
            }
        });
        return out;
    }

    // ---- images ----------------------------------------------------------------------------

    private static void images(JsonNode node, JsonNode img) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (("containers".equals(e.getKey()) || "initContainers".equals(e.getKey())) && e.getValue().isArray()) {
                    for (JsonNode c : e.getValue()) {
                        if (c.hasNonNull("image")) {
                            ((ObjectNode) c).put("image", retag(c.get("image").asText(), img));
                        }
                    }
                } else {
                    images(e.getValue(), img);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> images(n, img));
        }
    }

    /** kustomize's image rule: the name is everything before the tag (":" after the last "/") or digest. */
    static String retag(String image, JsonNode img) {
        String name = image;
        String suffix = "";
        int at = image.indexOf('@');
        if (at >= 0) {
            name = image.substring(0, at);
            suffix = image.substring(at);
        } else {
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                name = image.substring(0, colon);
                suffix = image.substring(colon);
            }
        }
        if (!name.equals(img.path("name").asText())) {
            return image;
        }
        String newName = img.hasNonNull("newName") ? img.get("newName").asText() : name;
        if (img.hasNonNull("digest")) {
            suffix = "@" + img.get("digest").asText();
        } else if (img.hasNonNull("newTag")) {
            suffix = ":" + img.get("newTag").asText();
        }
        return newName + suffix;
    }

    /** Prints the rendering of the kustomization directory given as argument. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: Kustomize DIR");
            System.exit(2);
        }
        System.out.print(toYaml(render(Path.of(args[0]))));
    }

    /** RFC 6902 operations: add, remove, replace, test (what kustomize's patchesJson6902 accept most). */
    static final class Json6902 {
        private Json6902() {
        }

        static void apply(ObjectNode doc, ArrayNode ops) {
            for (JsonNode op : ops) {
                String kind = op.path("op").asText();
                List<String> path = pointer(op.path("path").asText());
                JsonNode value = op.get("value");
                ObjectNode parentObj = null;
                ArrayNode parentArr = null;
                JsonNode parent = doc;
                for (int i = 0; i < path.size() - 1; i++) {
                    parent = child(parent, path.get(i));
                    if (parent == null) {
                        throw new IllegalArgumentException("json patch: no " + op.path("path").asText() + " in " + id(doc));
                    }
                }
                String last = path.get(path.size() - 1);
                if (parent.isObject()) {
                    parentObj = (ObjectNode) parent;
                } else if (parent.isArray()) {
                    parentArr = (ArrayNode) parent;
                } else {
                    throw new IllegalArgumentException("json patch: " + op.path("path").asText() + " is not in a container");
                }
                switch (kind) {
                    case "add" -> {
                        if (parentObj != null) {
                            parentObj.set(last, value.deepCopy());
                        } else if ("-".equals(last)) {
                            parentArr.add(value.deepCopy());
                        } else {
                            parentArr.insert(Integer.parseInt(last), value.deepCopy());
                        }
                    }
                    case "replace", "remove", "test" -> {
                        JsonNode existing = parentObj != null ? parentObj.get(last) : parentArr.get(Integer.parseInt(last));
                        if (existing == null) {
                            throw new IllegalArgumentException("json patch " + kind + ": no " + op.path("path").asText()
                                    + " in " + id(doc));
                        }
                        if ("test".equals(kind)) {
                            if (!existing.equals(value)) {
                                throw new IllegalArgumentException("json patch test failed at " + op.path("path").asText());
                            }
                        } else if ("remove".equals(kind)) {
                            if (parentObj != null) {
                                parentObj.remove(last);
                            } else {
                                parentArr.remove(Integer.parseInt(last));
                            }
                        } else if (parentObj != null) {
                            parentObj.set(last, value.deepCopy());
                        } else {
                            parentArr.set(Integer.parseInt(last), value.deepCopy());
                        }
                    }
                    default -> throw new UnsupportedOperationException("json patch op " + kind);
                }
            }
        }

        private static JsonNode child(JsonNode n, String token) {
            return n.isArray() ? n.get(Integer.parseInt(token)) : n.get(token);
        }

        static List<String> pointer(String p) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("json pointer must start with /: " + p);
            }
            List<String> out = new ArrayList<>();
            for (String t : p.substring(1).split("/", -1)) {
                out.add(t.replace("~1", "/").replace("~0", "~"));
            }
            return out;
        }
    }
}
