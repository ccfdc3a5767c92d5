package dev.tdlab.contracts.spec;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Expands a sweep into cells (cartesian product, in the order the axes and values are given)
 * and applies a cell's dotted-path values to the base spec. Deterministic: the same spec gives
 * the same cells in the same order, and each cell has a stable id.
 */
public final class SweepExpander {

    private SweepExpander() {
    }

    /** The cells of a sweep; one empty cell when nothing is swept. */
    public static List<Map<String, Object>> cells(Map<String, List<Object>> sweep) {
        List<Map<String, Object>> cells = new ArrayList<>();
        cells.add(new LinkedHashMap<>());
        if (sweep == null) {
            return cells;
        }
        for (Map.Entry<String, List<Object>> axis : sweep.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> cell : cells) {
                for (Object value : axis.getValue()) {
                    Map<String, Object> c = new LinkedHashMap<>(cell);
                    c.put(axis.getKey(), value);
                    next.add(c);
                }
            }
            cells = next;
        }
        return cells;
    }

    /** A stable id of a cell: hash of its values with keys sorted, numbers normalized. */
    public static String cellId(Map<String, Object> cell) {
        StringBuilder canon = new StringBuilder();
        for (Map.Entry<String, Object> e : new TreeMap<>(cell).entrySet()) {
            Object v = e.getValue();
            String s = v instanceof Number n ? Double.toString(n.doubleValue()) : String.valueOf(v);
            canon.append(e.getKey()).append('=').append(s).append(';');
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canon.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a dotted path names a field of data, model or train that a sweep may set. */
    public static boolean isSweepable(String path) {
        return fieldType(path) != null;
    }

    /** The type of the field a dotted path names (e.g. {@code List} for {@code train.trainable}); null if none. */
    public static Class<?> fieldType(String path) {
        if (path == null) {
            return null;
        }
        String[] parts = path.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        Class<?> type = switch (parts[0]) {
            case "data" -> DataSpec.class;
            case "model" -> ModelSpec.class;
            case "train" -> TrainSpec.class;
            default -> null;
        };
        for (int i = 1; i < parts.length; i++) {
            if (type == null || !type.isRecord()) {
                return null;
            }
            RecordComponent rc = component(type, parts[i]);
            if (rc == null) {
                return null;
            }
            type = rc.getType();
        }
        return type;
    }

    /** The base spec (defaults applied) with the cell's values set, for one seed. */
    public static RunSpec apply(ExperimentSpec spec, Map<String, Object> cell, long seed) {
        ExperimentSpec s = spec.withDefaults();
        DataSpec data = s.data();
        ModelSpec model = s.model();
        TrainSpec train = s.train();
        for (Map.Entry<String, Object> e : cell.entrySet()) {
            String[] parts = e.getKey().split("\\.");
            switch (parts[0]) {
                case "data" -> data = with(data, parts, 1, e.getValue(), e.getKey());
                case "model" -> model = with(model, parts, 1, e.getValue(), e.getKey());
                case "train" -> train = with(train, parts, 1, e.getValue(), e.getKey());
                default -> throw new IllegalArgumentException("'" + e.getKey() + "' is not a field of data, model or train");
            }
        }
        train = train.withDefaults();
        if (train.fresh() && data != null && train.steps() != null && train.batch() != null) {
            // every training sequence used once: the run's dataset holds exactly steps × batch of them
            data = with(data, new String[] {"trainSequences"}, 0, (long) train.steps() * train.batch(),
                    "data.trainSequences");
        }
        return new RunSpec(data == null ? null : data.withDefaults(), model.withDefaults(), train, seed);
    }

    @SuppressWarnings("unchecked")
    private static <R extends Record> R with(R record, String[] parts, int at, Object value, String path) {
        if (record == null) {
            throw new IllegalArgumentException("'" + path + "' sets a field of a section that is absent");
        }
        Class<R> type = (Class<R>) record.getClass();
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        boolean found = false;
        try {
            for (int i = 0; i < comps.length; i++) {
                Object cur = comps[i].getAccessor().invoke(record);
                if (comps[i].getName().equals(parts[at])) {
                    found = true;
                    if (at == parts.length - 1) {
                        args[i] = coerce(value, comps[i].getType(), path);
                    } else if (cur instanceof Record r) {
                        args[i] = with(r, parts, at + 1, value, path);
                    } else if (cur == null && comps[i].getType().isRecord()) {
                        args[i] = with(emptyRecord((Class<? extends Record>) comps[i].getType()), parts, at + 1, value, path);
                    } else {
                        throw new IllegalArgumentException("'" + path + "' does not name a field");
                    }
                } else {
                    args[i] = cur;
                }
            }
            if (!found) {
                throw new IllegalArgumentException("'" + path + "' does not name a field");
            }
            Constructor<R> ctor = type.getDeclaredConstructor(
                    java.util.Arrays.stream(comps).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + type.getSimpleName(), e);
        }
    }

    private static <R extends Record> R emptyRecord(Class<R> type) throws ReflectiveOperationException {
        RecordComponent[] comps = type.getRecordComponents();
        Constructor<R> ctor = type.getDeclaredConstructor(
                java.util.Arrays.stream(comps).map(RecordComponent::getType).toArray(Class<?>[]::new));
        return ctor.newInstance(new Object[comps.length]);
    }

    private static Object coerce(Object value, Class<?> target, String path) {
        if (value == null) {
            return null;
        }
        if (target == Double.class) {
            if (value instanceof Number n) {
                return n.doubleValue();
            }
        } else if (target == Integer.class) {
            if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
                return n.intValue();
            }
        } else if (target == Long.class) {
            if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
        } else if (target == Boolean.class) {
            if (value instanceof Boolean) {
                return value;
            }
        } else if (target == String.class) {
            if (value instanceof String) {
                return value;
            }
        } else if (target == List.class) {
            if (value instanceof List<?>) {
                return value;
            }
        }
        throw new IllegalArgumentException("value " + value + " does not fit '" + path + "' (expects "
                + target.getSimpleName().replace("Double", "number").replace("Integer", "integer") + ")");
    }

    private static RecordComponent component(Class<?> type, String name) {
        for (RecordComponent rc : type.getRecordComponents()) {
            if (rc.getName().equals(name)) {
                return rc;
            }
        }
        return null;
    }
}
